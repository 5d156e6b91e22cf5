package dev.qvit.model.nn.fused;

/** {@link VectorProducts} as plain loops, element for element the same operations in the same order. */
final class ScalarProducts {
    private ScalarProducts() {
    }

    /** out[i * padded + j] = sum over c of x[i * d + c] * x2[j * d + c] for j &lt; n, zero for n &lt;= j &lt; padded. */
    static void timesTransposed(float[] x, int rows, int d, float[] x2, int n, int padded, float[] out) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < padded; j++) {
                float dot = 0f;
                if (j < n) {
                    for (int c = 0; c < d; c++) {
                        dot = Math.fma(x[i * d + c], x2[j * d + c], dot);
                    }
                }
                out[i * padded + j] = dot;
            }
        }
    }

    /** out[i * d + c] = scale * sum over j of a[i * rowStride + j * innerStride] * v[j * d + c]. */
    static void times(float[] a, int rows, int inner, int rowStride, int innerStride, float[] v, int d, float scale,
            float[] out) {
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < d; c++) {
                float sum = 0f;
                for (int j = 0; j < inner; j++) {
                    sum = Math.fma(a[i * rowStride + j * innerStride], v[j * d + c], sum);
                }
                out[i * d + c] = sum * scale;
            }
        }
    }
}
