package dev.qvit.model.nn.fused;

import java.util.Arrays;

/** {@link AttentionKernel} as plain loops: the fallback, and the order of operations the vector kernel keeps. */
final class ScalarAttention implements AttentionKernel {
    private static final int P = LsqKernel.PARTIALS;
    private final float[] partials = new float[P];
    private float[] row = new float[0];
    private float[] acc = new float[0];

    @Override
    public void scores(FloatMemory q, FloatMemory k, int heads, int n, int d, float scale, FloatMemory attention) {
        float[] s = row(n);
        for (int h = 0; h < heads; h++) {
            int qk = h * n * d;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    float dot = 0f;
                    for (int c = 0; c < d; c++) {
                        dot = Math.fma(q.get(qk + i * d + c), k.get(qk + j * d + c), dot);
                    }
                    s[j] = dot * scale;
                }
                softmaxRow(s, n, attention, (h * n + i) * n);
            }
        }
    }

    @Override
    public void biasedScores(FloatMemory q, FloatMemory k, FloatMemory bias, int planes, int heads, int n, int d,
            float scale, FloatMemory attention) {
        float[] s = row(n);
        for (int h = 0; h < heads; h++) {
            int qk = h * n * d;
            int plane = h % planes * n * n;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    float dot = 0f;
                    for (int c = 0; c < d; c++) {
                        dot = Math.fma(q.get(qk + i * d + c), k.get(qk + j * d + c), dot);
                    }
                    s[j] = dot * scale + bias.get(plane + i * n + j);
                }
                softmaxRow(s, n, attention, (h * n + i) * n);
            }
        }
    }

    @Override
    public void biasGradient(FloatMemory attention, FloatMemory dAttention, int heads, int n, int planes,
            FloatMemory dBias) {
        for (int h = 0; h < heads; h++) {
            int plane = h % planes * n * n;
            for (int i = 0; i < n; i++) {
                int at = (h * n + i) * n;
                float rowSum = rowSum(attention, dAttention, at, n);
                for (int j = 0; j < n; j++) {
                    int b = plane + i * n + j;
                    dBias.put(b, dBias.get(b) + (dAttention.get(at + j) - rowSum) * attention.get(at + j));
                }
            }
        }
    }

    /** sum_j dA_j A_j of the row at {@code at}, in the kernels' partial sums. */
    private float rowSum(FloatMemory attention, FloatMemory dAttention, int at, int n) {
        Arrays.fill(partials, 0f);
        for (int j = 0; j < n; j++) {
            partials[j % P] += dAttention.get(at + j) * attention.get(at + j);
        }
        return ScalarLayerNorm.sum(partials);
    }

    /** softmax of s[0, n) into attention[at, at + n). */
    private void softmaxRow(float[] s, int n, FloatMemory attention, int at) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, s[j]);
        }
        Arrays.fill(partials, 0f);
        for (int j = 0; j < n; j++) {
            s[j] = Exp.exp(s[j] - max);
            partials[j % P] += s[j];
        }
        float sum = ScalarLayerNorm.sum(partials);
        for (int j = 0; j < n; j++) {
            attention.put(at + j, AttentionKernel.flushSubnormal(s[j] / sum));
        }
    }

    @Override
    public void context(FloatMemory attention, FloatMemory v, int heads, int n, int d, FloatMemory context) {
        float[] sum = acc(d);
        for (int h = 0; h < heads; h++) {
            int vd = h * n * d;
            for (int i = 0; i < n; i++) {
                Arrays.fill(sum, 0f);
                for (int j = 0; j < n; j++) {
                    float a = attention.get((h * n + i) * n + j);
                    for (int c = 0; c < d; c++) {
                        sum[c] = Math.fma(a, v.get(vd + j * d + c), sum[c]);
                    }
                }
                for (int c = 0; c < d; c++) {
                    context.put(vd + i * d + c, sum[c]);
                }
            }
        }
    }

    @Override
    public void contextBackward(FloatMemory attention, FloatMemory v, FloatMemory dContext, int heads, int n, int d,
            FloatMemory dAttention, FloatMemory dv) {
        for (int h = 0; h < heads; h++) {
            int vd = h * n * d;
            for (int j = 0; j < n * d; j++) {
                dv.put(vd + j, 0f);
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    float dot = 0f;
                    for (int c = 0; c < d; c++) {
                        dot = Math.fma(dContext.get(vd + i * d + c), v.get(vd + j * d + c), dot);
                    }
                    dAttention.put((h * n + i) * n + j, dot);
                }
                for (int j = 0; j < n; j++) {
                    float a = attention.get((h * n + i) * n + j);
                    for (int c = 0; c < d; c++) {
                        int at = vd + j * d + c;
                        dv.put(at, Math.fma(a, dContext.get(vd + i * d + c), dv.get(at)));
                    }
                }
            }
        }
    }

    @Override
    public void scoresBackward(FloatMemory attention, FloatMemory dAttention, FloatMemory q, FloatMemory k, int heads,
            int n, int d, float scale, FloatMemory dq, FloatMemory dk) {
        float[] ds = row(n);
        float[] sum = acc(d);
        for (int h = 0; h < heads; h++) {
            int qk = h * n * d;
            for (int j = 0; j < n * d; j++) {
                dk.put(qk + j, 0f);
            }
            for (int i = 0; i < n; i++) {
                int at = (h * n + i) * n;
                float rowSum = rowSum(attention, dAttention, at, n);
                for (int j = 0; j < n; j++) {
                    ds[j] = (dAttention.get(at + j) - rowSum) * attention.get(at + j);
                }
                Arrays.fill(sum, 0f);
                for (int j = 0; j < n; j++) {
                    for (int c = 0; c < d; c++) {
                        sum[c] = Math.fma(ds[j], k.get(qk + j * d + c), sum[c]);
                        int kj = qk + j * d + c;
                        dk.put(kj, Math.fma(ds[j], q.get(qk + i * d + c), dk.get(kj)));
                    }
                }
                for (int c = 0; c < d; c++) {
                    dq.put(qk + i * d + c, sum[c] * scale);
                }
            }
            for (int j = 0; j < n * d; j++) {
                dk.put(qk + j, dk.get(qk + j) * scale);
            }
        }
    }

    private float[] row(int n) {
        if (row.length < n) {
            row = new float[n];
        }
        return row;
    }

    private float[] acc(int d) {
        if (acc.length != d) {
            acc = new float[d];
        }
        return acc;
    }

    @Override
    public void toHeads(FloatMemory x, int images, int n, int parts, int heads, int d, FloatMemory out) {
        copyHeads(x, images, n, parts, heads, d, out, true);
    }

    @Override
    public void fromHeads(FloatMemory x, int images, int n, int parts, int heads, int d, FloatMemory out) {
        copyHeads(x, images, n, parts, heads, d, out, false);
    }

    /** Chunks of d floats between rows [B, N, T, H, d] and heads [T, B, H, N, d], the rows side in order. */
    private static void copyHeads(FloatMemory x, int images, int n, int parts, int heads, int d, FloatMemory out,
            boolean toHeads) {
        int rows = 0;
        for (int b = 0; b < images; b++) {
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < parts; t++) {
                    for (int h = 0; h < heads; h++, rows += d) {
                        int head = (((t * images + b) * heads + h) * n + i) * d;
                        int from = toHeads ? rows : head;
                        int to = toHeads ? head : rows;
                        for (int c = 0; c < d; c++) {
                            out.put(to + c, x.get(from + c));
                        }
                    }
                }
            }
        }
    }
}
