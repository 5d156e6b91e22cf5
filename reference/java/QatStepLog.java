import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.StepMetrics;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.ParallelWorkers;
import dev.qvit.model.train.QuantizationAwareObjective;
import dev.qvit.model.train.QuantizationAwareTraining;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.train.Trainer;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.model.train.TrainingListener;
import dev.qvit.model.vit.VisionTransformer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Companion of reference/qat_short_run.py (not part of the build): the wiring of {@code qvit quantize --no-shuffle
 * --no-augment --data bundled} (QuantizeCommand.call(): lr 2e-4, min lr 1e-6, no warm-up, wd 0, no clipping, batch
 * 128) with a listener that writes every step's loss, task loss, learning rate, gradient norm and DGD sum, the
 * quantizer states after the first-batch initialisation, and optionally a student checkpoint of that initialised
 * state (for qat_short_run.py --init-from). Gives the same epochs as the CLI (checked: identical numbers).
 *
 * <pre>
 * args: TEACHER BITS IRM(none|token|distribution) DGD(0|1) LAMBDA EPOCHS THREADS STEPS.csv INIT.csv
 *       [INIT_CHECKPOINT.qvit [init-only]]
 * </pre>
 */
public final class QatStepLog {
    public static void main(String[] a) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Path teacherFile = Path.of(a[0]);
        int bits = Integer.parseInt(a[1]);
        QuantizationConfig.Rectification form = QuantizationConfig.Rectification.parse(a[2]);
        boolean dgdOn = a[3].equals("1");
        double lambda = Double.parseDouble(a[4]);
        int epochs = Integer.parseInt(a[5]);
        int threads = Integer.parseInt(a[6]);
        QuantizationConfig config = QuantizationConfig.of(bits, form);
        DistillationSettings dgd = new DistillationSettings(dgdOn, lambda, DistributionGuidedDistillation.Norm.HEAD,
                dgdOn ? 1 : 10);                                           // as QuantizationOptions.distillation()
        TrainingConfig training = new TrainingConfig(epochs, 128, 2e-4, 1e-6, 0, 0, 0, 0, false, false);
        VisionTransformer teacher = Checkpoint.load(teacherFile);
        FashionMnist.Splits splits = FashionMnist.load("bundled");
        int n = Math.min(128, splits.train().count());                    // QuantizeCommand.calibrationBatch
        float[] images = new float[n * splits.train().imageSize()];
        int[] labels = new int[n];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        new BatchLoader(splits.train(), null).fill(order, 0, n, images, labels);
        var calibration = Nd4j.createFromArray(images).reshape(n, 1, splits.train().rows(), splits.train().cols())
                .castTo(DataType.FLOAT);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher, config, calibration);
        long t0 = System.nanoTime();
        try (ParallelWorkers<QuantizationAwareObjective> workers =
                     QuantizationAwareTraining.workers(threads, student, teacher, dgd);
             PrintWriter steps = new PrintWriter(a[7]); PrintWriter init = new PrintWriter(a[8])) {
            Trainer trainer = QuantizationAwareTraining.trainer(training, workers);
            // the first-batch hook's initialisation, done here so that it can be logged (the hook then finds the
            // quantizers initialised and returns); the first batch of the fixed order = the calibration batch
            QuantizationAwareTraining.initializeQuantizers(workers, images, n);
            init.println("name,signed,gradScale,step0,zero0");
            for (LsqQuantizer q : student.quantizers()) {
                init.printf("%s,%s,%.17g,%.9g,%s%n", q.name(), q.range().signed(), q.gradScale(),
                        q.step().value().getDouble(0),
                        q.zeroPoint() == null ? "" : String.format("%.9g", q.zeroPoint().value().getDouble(0)));
            }
            init.flush();
            if (a.length > 9) {
                Checkpoint.save(Path.of(a[9]), "student", student, new HashMap<>());
                if (a.length > 10 && a[10].equals("init-only")) {
                    return;
                }
            }
            steps.println("step,epoch,lr,loss,task,acc,gradnorm,dgd");
            trainer.run(splits.train(), splits.test(), new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    double d = Double.NaN;
                    if (m.distillation() != null) {
                        d = 0;
                        for (double v : m.distillation().query()) {
                            d += v;
                        }
                        for (double v : m.distillation().key()) {
                            d += v;
                        }
                    }
                    steps.printf("%d,%d,%.10g,%.10g,%.10g,%.6f,%.10g,%.10g%n", m.step(), m.epoch(), m.learningRate(),
                            m.loss(), m.taskLoss(), m.accuracy(), m.gradientNorm(), d);
                    steps.flush();
                }

                @Override
                public void onEpoch(EpochMetrics m) {
                    System.out.printf("epoch %d train loss %.6f train acc %.4f test loss %.6f test acc %.4f elapsed %.1f s%n",
                            m.epoch() + 1, m.trainLoss(), m.trainAccuracy(), m.testLoss(), m.testAccuracy(),
                            (System.nanoTime() - t0) / 1e9);
                }
            }, new RunControl());
        }
    }
}
