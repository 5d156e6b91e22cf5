package dev.qvit.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Every arrow of the architecture (README, "Architecture"): records &lt;- model &lt;- sessions &lt;- app, records
 * &lt;- viz &lt;- app, and inside {@code model} the packages depend one way, from the layers up to the runs.
 */
@AnalyzeClasses(packages = "dev.qvit", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String[] UI = {"javafx..", "org.jfree..", "org.controlsfx..", "atlantafx.."};

    @ArchTest
    static final ArchRule recordsArePlainJava = classes().that().resideInAPackage("dev.qvit.records..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("dev.qvit.records..", "java..")
            .because("what the views draw is plain immutable data, without ND4J or any library");

    @ArchTest
    static final ArchRule viewsSeeOnlyRecords = noClasses().that().resideInAPackage("dev.qvit.viz..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.qvit.model..", "org.nd4j..",
                    "dev.qvit.sessions..", "dev.qvit.app..");

    @ArchTest
    static final ArchRule modelHasNoUi = noClasses().that().resideInAPackage("dev.qvit.model..")
            .should().dependOnClassesThat().resideInAnyPackage(UI)
            .orShould().dependOnClassesThat().resideInAnyPackage("dev.qvit.viz..", "dev.qvit.sessions..",
                    "dev.qvit.app..");

    @ArchTest
    static final ArchRule sessionsHaveNoUi = noClasses().that().resideInAPackage("dev.qvit.sessions..")
            .should().dependOnClassesThat().resideInAnyPackage(UI)
            .orShould().dependOnClassesThat().resideInAnyPackage("dev.qvit.viz..", "dev.qvit.app..");

    @ArchTest
    static final ArchRule modelPackagesHaveNoCycles = slices().matching("dev.qvit.model.(*)..").should()
            .beFreeOfCycles();

    @ArchTest
    static final ArchRule modelPackagesDependOneWay = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("nn").definedBy("dev.qvit.model.nn..")
            .layer("data").definedBy("dev.qvit.model.data..")
            .layer("quant").definedBy("dev.qvit.model.quant..")
            .layer("vit").definedBy("dev.qvit.model.vit..")
            .layer("swin").definedBy("dev.qvit.model.swin..")
            .layer("probe").definedBy("dev.qvit.model.probe..")
            .layer("train").definedBy("dev.qvit.model.train..")
            .layer("io").definedBy("dev.qvit.model.io..")
            .layer("experiment").definedBy("dev.qvit.model.experiment..")
            .layer("bench").definedBy("dev.qvit.model.bench..")
            .whereLayer("nn").mayNotAccessAnyLayer()
            .whereLayer("data").mayNotAccessAnyLayer()
            .whereLayer("quant").mayOnlyAccessLayers("nn")
            .whereLayer("vit").mayOnlyAccessLayers("nn", "quant")
            .whereLayer("swin").mayOnlyAccessLayers("nn", "quant", "vit")
            .whereLayer("probe").mayOnlyAccessLayers("nn", "data", "quant", "vit", "swin")
            .whereLayer("train").mayOnlyAccessLayers("nn", "data", "quant", "vit", "swin")
            .whereLayer("io").mayOnlyAccessLayers("nn", "quant", "vit", "swin")
            .whereLayer("experiment").mayOnlyAccessLayers("nn", "data", "quant", "vit", "swin", "probe", "train", "io")
            .whereLayer("bench").mayOnlyAccessLayers("nn", "data", "quant", "vit", "swin", "probe", "train",
                    "experiment");
}
