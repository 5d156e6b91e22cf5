package dev.qvit.model.experiment;

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
