package dev.qvit.app.cli;

import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Bits, IRM and DGD of a quantized student. */
public final class QuantizationOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--bits", defaultValue = "4", description = "Bits of the blocks: 2, 3, 4 or 8 (patch embedding "
            + "and head stay at 8; default: ${DEFAULT-VALUE}).")
    int bits;
    @Option(names = "--irm", description = "Rectify q and k with IRM before their quantizers.")
    boolean irm;
    @Option(names = "--irm-form", defaultValue = "distribution", description = "IRM form: distribution (the paper: "
            + "per-head statistics, identity at start) or token (the official code: per-token LayerNorm; ~3 points "
            + "worse in our ablation; default: ${DEFAULT-VALUE}).")
    String irmForm;
    @Option(names = "--dgd", description = "Add Distribution-Guided Distillation of q/k similarity matrices.")
    boolean dgd;
    @Option(names = "--lambda", defaultValue = "0.1", description = "DGD weight lambda >= 0, with --dgd (default: ${DEFAULT-VALUE}).")
    double lambda;
    @Option(names = "--dgd-norm", defaultValue = "head", description = "DGD normalisation, with --dgd: head (per image "
            + "and head) or layer (BiBERT; default: ${DEFAULT-VALUE}).")
    String dgdNorm;

    QuantizationConfig config() {
        requireWith("--irm-form", irm, "--irm", "IRM");
        QuantizationConfig.Rectification form = QuantizationConfig.Rectification.parse(irmForm);
        if (form == QuantizationConfig.Rectification.NONE) {
            throw new IllegalArgumentException("--irm-form must be token or distribution");
        }
        return QuantizationConfig.of(bits, irm ? form : QuantizationConfig.Rectification.NONE);
    }

    DistillationSettings distillation() {
        requireWith("--lambda", dgd, "--dgd", "DGD");
        requireWith("--dgd-norm", dgd, "--dgd", "DGD");
        return DistillationSettings.of(dgd, lambda, DistributionGuidedDistillation.Norm.parse(dgdNorm));
    }

    /** An option that only means something with another one is refused without it, not silently ignored. */
    private void requireWith(String option, boolean present, String needed, String what) {
        if (!present && command.commandLine().getParseResult().hasMatchedOption(option)) {
            throw new IllegalArgumentException("%s sets %s, which is off: add %s, or leave %s out"
                    .formatted(option, what, needed, option));
        }
    }
}
