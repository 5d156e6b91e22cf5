package dev.qvit.app.cli;

import dev.qvit.model.experiment.TrainingState;
import dev.qvit.model.io.Safetensors;
import dev.qvit.model.io.TimmSafetensors;
import dev.qvit.sessions.SessionCsv;
import dev.qvit.sessions.TensorBoardExport;
import dev.qvit.sessions.SessionView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code qvit export SESSION}: a session's numbers as CSV and its model as timm-named safetensors. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a session: its numbers as CSV (steps.csv, epochs.csv), as a TensorBoard event file, and/or "
                + "its last model as safetensors with timm's DeiT parameter names (opens in PyTorch with timm).")
public final class ExportCommand implements Callable<Integer> {
    @ParentCommand
    QvitCommand qvit;
    @Mixin
    SessionOptions sessions;
    @Parameters(index = "0", paramLabel = "SESSION", description = "The session's id, as ./qvit sessions lists it.")
    String id;
    @Option(names = "--csv", paramLabel = "DIR", description = "Write steps.csv and epochs.csv into DIR.")
    Path csv;
    @Option(names = "--timm", paramLabel = "FILE", description = "Write the model of the last checkpoint as FILE.")
    Path timm;
    @Option(names = "--tensorboard", paramLabel = "DIR", description = "Write a TensorBoard event file into DIR "
            + "(scalars per step and epoch, DGD per layer and head, q/k histograms at the probe steps).")
    Path tensorboard;
    @Option(names = "--force", description = "Write over existing files.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (csv == null && timm == null && tensorboard == null) {
            throw new IllegalArgumentException("say what to export: --csv DIR, --timm FILE and/or --tensorboard DIR");
        }
        try (SessionView v = sessions.root(qvit.outputs()).view(id)) {
            if (csv != null) {
                Path steps = qvit.outputs().file(csv.resolve("steps.csv"), "steps.csv", force);
                Path epochs = qvit.outputs().file(csv.resolve("epochs.csv"), "epochs.csv", force);
                Safetensors.writeAtomically(steps, SessionCsv.steps(v.steps()).getBytes(StandardCharsets.UTF_8));
                Safetensors.writeAtomically(epochs, SessionCsv.epochs(v.epochs()).getBytes(StandardCharsets.UTF_8));
                System.out.printf("wrote %s (%d steps) and %s (%d epochs)%n", steps, v.steps().size(), epochs,
                        v.epochs().size());
            }
            if (timm != null) {
                Path target = qvit.outputs().file(timm, id + ".safetensors", force);
                TrainingState state = v.lastCheckpoint().orElseThrow(() -> new IllegalArgumentException(
                        "session " + id + " has no checkpoint yet: there is no model to export"));
                if (!(state.model(v.spec()) instanceof dev.qvit.model.vit.VisionTransformer vit)) {
                    throw new IllegalArgumentException("session " + id + " is a Swin run: --timm writes ViT models only");
                }
                TimmSafetensors.export(vit, target);
                System.out.printf("wrote %s (the model after step %d, timm's names)%n", target, state.progress().step());
            }
            if (tensorboard != null) {
                Path folder = qvit.outputs().folder(tensorboard, "tensorboard", f -> f.getFileName().toString()
                        .startsWith("events.out.tfevents."), force);
                Path file = TensorBoardExport.write(v, folder);
                System.out.printf("wrote %s (tensorboard --logdir %s)%n", file, tensorboard);
            }
        }
        return 0;
    }
}
