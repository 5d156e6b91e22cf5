package dev.qvit.model.experiment;

import dev.qvit.model.quant.QuantizationConfig;
import java.util.Locale;

/** The ablation's four students: LSQ baseline, + IRM, + DGD, + both (Q-ViT section 4.2). */
public enum Variant {
    BASE("base", false, false), IRM("irm", true, false), DGD("dgd", false, true), IRM_DGD("irm+dgd", true, true);

    private final String label;
    private final boolean rectification;
    private final boolean distillation;

    Variant(String label, boolean rectification, boolean distillation) {
        this.label = label;
        this.rectification = rectification;
        this.distillation = distillation;
    }

    public String label() {
        return label;
    }

    public boolean rectification() {
        return rectification;
    }

    public boolean distillation() {
        return distillation;
    }

    /** The student with or without IRM and DGD. */
    public static Variant of(boolean rectification, boolean distillation) {
        return rectification ? (distillation ? IRM_DGD : IRM) : (distillation ? DGD : BASE);
    }

    /**
     * "baseline", "DGD", "IRM(token)" or "IRM(distribution)+DGD": the IRM form is always named, since the two forms
     * differ by points (the official code's token form against the paper's distribution form).
     */
    public String describe(QuantizationConfig.Rectification form) {
        if (rectification && form == QuantizationConfig.Rectification.NONE) {
            throw new IllegalArgumentException("the " + label + " variant needs an IRM form, token or distribution");
        }
        String irm = rectification ? "IRM(" + form.name().toLowerCase(Locale.ROOT) + ")" : "";
        return this == BASE ? "baseline" : irm + (rectification && distillation ? "+" : "") + (distillation ? "DGD" : "");
    }

    /**
     * The label of a run, one format for the window, the command line and the ablation tables: W(eight bits)A(ctivation
     * bits) and the variant, e.g. "W4A4 IRM(token)+DGD", "W2A2 baseline".
     */
    public String runLabel(int bits, QuantizationConfig.Rectification form) {
        return "W" + bits + "A" + bits + " " + describe(form);
    }

    public static Variant parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (Variant v : values()) {
            if (v.label.equals(t)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown variant '" + text + "': use base, irm, dgd or irm+dgd");
    }
}
