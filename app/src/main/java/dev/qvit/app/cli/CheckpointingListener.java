package dev.qvit.app.cli;

import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.snapshot.EpochMetrics;
import dev.qvit.model.snapshot.StepMetrics;
import dev.qvit.model.train.TrainingListener;
import dev.qvit.model.vit.VisionTransformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Terminal progress plus an atomic checkpoint after every epoch (with the epoch history and last test accuracy in
 * its metadata), so an interrupted run keeps its last finished epoch.
 */
final class CheckpointingListener implements TrainingListener {
    private final ProgressPrinter progress;
    private final Path target;
    private final String kind;
    private final VisionTransformer model;
    private final Map<String, Object> metadata;
    private final List<EpochMetrics> history = new ArrayList<>();

    CheckpointingListener(int epochs, Path target, String kind, VisionTransformer model, Map<String, Object> metadata) {
        this.progress = new ProgressPrinter(System.out, epochs);
        this.target = target;
        this.kind = kind;
        this.model = model;
        this.metadata = new LinkedHashMap<>(metadata);
    }

    @Override
    public void onStep(StepMetrics m) {
        progress.onStep(m);
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        progress.onEpoch(m);
        history.add(m);
        metadata.put("testAccuracy", m.testAccuracy());
        metadata.put("epochs", history);
        try {
            Checkpoint.save(target, kind, model, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save " + target + ": " + e.getMessage(), e);
        }
    }

    /** Test accuracy of the last finished epoch, NaN before the first. */
    double lastTestAccuracy() {
        return history.isEmpty() ? Double.NaN : history.get(history.size() - 1).testAccuracy();
    }
}
