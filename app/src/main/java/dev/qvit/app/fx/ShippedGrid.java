package dev.qvit.app.fx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvit.model.experiment.CellResult;
import dev.qvit.sessions.AblationGrid;
import dev.qvit.sessions.SessionException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ablation grid shipped inside the workbench for the demo's result step: the measurements of the cells of
 * {@code docs/results/ablation-issue14} (grid {@code paper-recipe}, made by {@code ./qvit ablate}, see README), packed
 * into the jar by the build.
 *
 * @param recipe one line on what was run, from the grid's plan
 */
record ShippedGrid(String recipe, List<CellResult> cells) {
    static final String FOLDER = "/dev/qvit/app/demo/ablation/";

    ShippedGrid {
        cells = List.copyOf(cells);
    }

    static ShippedGrid load() throws IOException, SessionException {
        JsonNode plan;
        try (InputStream in = open("grid.json")) {
            plan = new ObjectMapper().readTree(in);
        }
        JsonNode training = plan.path("base").path("training");
        JsonNode data = plan.path("base").path("data");
        String recipe = ("grid %s: bits %s × variants %s × seeds %s; %d QAT epochs on %,d %s training images, lr %s, "
                + "batch %d, IRM form %s").formatted(plan.path("id").asText(), joined(plan.path("bits")),
                joined(plan.path("variants")), joined(plan.path("seeds")), training.path("epochs").asInt(), data.path("trainLimit").asInt(),
                data.path("source").asText(), training.path("learningRate").asText(), training.path("batchSize").asInt(),
                plan.path("irmForm").asText());
        List<CellResult> cells = new ArrayList<>();
        try (BufferedReader table = new BufferedReader(new InputStreamReader(open("cells.tsv"), StandardCharsets.UTF_8))) {
            table.readLine();                                                  // index, cell, session, ...
            for (String line = table.readLine(); line != null; line = table.readLine()) {
                String session = line.split("\t")[2];
                try (InputStream in = ShippedGrid.class.getResourceAsStream(FOLDER + "cells/" + session + ".json")) {
                    if (in != null) {                                          // a cell that had not finished
                        cells.add(AblationGrid.readResult(in, session + ".json"));
                    }
                }
            }
        }
        return new ShippedGrid(recipe, cells);
    }

    private static String joined(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(n -> items.add(n.asText()));
        return String.join(", ", items);
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = ShippedGrid.class.getResourceAsStream(FOLDER + name);
        if (in == null) {
            throw new IOException("the shipped ablation grid's " + name + " is missing from the build");
        }
        return in;
    }
}
