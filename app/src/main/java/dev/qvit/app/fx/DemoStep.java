package dev.qvit.app.fx;

import javafx.scene.Node;

/** One step of the guided demo: a title, a few sentences with the equation they are about, and live views. */
interface DemoStep {
    String title();

    /** The explanation beside the views; lines starting with four spaces are shown as equations. */
    String text();

    /** The step's views and controls, made once. */
    Node content();

    /** Called each time the step comes on screen (and after presentation mode changes): redraw. */
    void shown();

    /** Called when another step takes the screen: stop drawing. */
    default void hidden() {
    }
}
