package dev.qvit.app.cli;

import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import picocli.CommandLine.Option;

/** Bits, IRM and DGD of a quantized student. */
public final class QuantizationOptions {
    @Option(names = "--bits", defaultValue = "4", description = "Bits of the blocks: 2, 3, 4 or 8 (patch embedding "
            + "and head stay at 8; default: ${DEFAULT-VALUE}).")
    int bits;
    @Option(names = "--irm", description = "Rectify q and k with IRM before their quantizers.")
    boolean irm;
    @Option(names = "--irm-form", defaultValue = "token", description = "IRM form: token (official code: per-token "
            + "LayerNorm) or distribution (paper: per-head statistics, identity at start; default: ${DEFAULT-VALUE}).")
    String irmForm;
    @Option(names = "--dgd", description = "Add Distribution-Guided Distillation of q/k similarity matrices.")
    boolean dgd;
    @Option(names = "--lambda", defaultValue = "0.1", description = "DGD weight lambda >= 0 (default: ${DEFAULT-VALUE}).")
    double lambda;
    @Option(names = "--dgd-norm", defaultValue = "head", description = "DGD normalisation: head (per image and head) "
            + "or layer (BiBERT; default: ${DEFAULT-VALUE}).")
    String dgdNorm;

    QuantizationConfig config() {
        QuantizationConfig.Rectification form = irm ? QuantizationConfig.Rectification.parse(irmForm)
                : QuantizationConfig.Rectification.NONE;
        if (form == QuantizationConfig.Rectification.NONE && irm) {
            throw new IllegalArgumentException("--irm-form must be token or distribution");
        }
        return QuantizationConfig.of(bits, form);
    }

    DistillationSettings distillation() {
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("--lambda must be >= 0, got " + lambda);
        }
        DistributionGuidedDistillation.Norm norm = DistributionGuidedDistillation.Norm.parse(dgdNorm);
        return dgd ? new DistillationSettings(true, lambda, norm, 1) : new DistillationSettings(false, lambda, norm, 10);
    }

    String variantName() {
        return "w" + bits + "-" + (irm ? (dgd ? "irm+dgd" : "irm") : (dgd ? "dgd" : "base"))
                + (irm && !irmForm.equals("token") ? "-" + irmForm : "");
    }

    String describe() {
        return "%d-bit, IRM %s, DGD %s".formatted(bits, irm ? irmForm : "off", dgd ? "lambda " + lambda + " (" + dgdNorm + ")" : "off");
    }
}
