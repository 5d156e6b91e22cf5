package dev.qvit.model.train;

/** What one worker reports for its slice of a batch: summed loss, correct predictions, images. */
public record SliceResult(double lossSum, int correct, int count) {

    public static SliceResult sum(Iterable<SliceResult> parts) {
        double loss = 0;
        int correct = 0;
        int count = 0;
        for (SliceResult r : parts) {
            loss += r.lossSum;
            correct += r.correct;
            count += r.count;
        }
        return new SliceResult(loss, correct, count);
    }

    public double meanLoss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }

    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }
}
