package dev.qvit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.app.cli.CommandLineTest.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ./qvit without a display or without GTK 3 says in one sentence what is missing, before JavaFX starts. */
class WindowCheckTest {
    @TempDir
    Path dir;

    private Run openWindow(WindowCheck check, String... args) {
        return CommandLineTest.run(new Outputs(dir.resolve("runs"), null), check, args);
    }

    @Test
    void withoutADisplayTheWindowIsOneSentence() {
        Run r = openWindow(new WindowCheck(Map.of(), lib -> true, WindowCheck.GTK_LIBRARY));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("qvit: the workbench window needs a display").contains("xvfb-run -a ./qvit");
        assertThat(openWindow(new WindowCheck(Map.of("DISPLAY", " "), lib -> true, "x"), "--smoke").exit()).isEqualTo(2);
    }

    @Test
    void theDemoOpensTheWindowWithTheDemoAndWithoutADisplayIsOneSentence() {
        Run r = openWindow(new WindowCheck(Map.of(), lib -> true, WindowCheck.GTK_LIBRARY), "demo");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("qvit: the workbench window needs a display");
        assertThat(System.getProperty(dev.qvit.app.fx.WorkbenchApplication.DEMO_PROPERTY)).isEqualTo("normal");
        openWindow(new WindowCheck(Map.of(), lib -> true, WindowCheck.GTK_LIBRARY), "demo", "--presentation");
        assertThat(System.getProperty(dev.qvit.app.fx.WorkbenchApplication.DEMO_PROPERTY)).isEqualTo("presentation");
        System.clearProperty(dev.qvit.app.fx.WorkbenchApplication.DEMO_PROPERTY);
        System.clearProperty("qvit.reopenLastSession");
    }

    @Test
    void withoutGtkTheWindowSaysWhichPackageToInstall() {
        Run r = openWindow(new WindowCheck(Map.of("DISPLAY", ":0"), lib -> false, WindowCheck.GTK_LIBRARY));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("needs GTK 3 (libgtk-3.so.0), which is not installed")
                .contains("apt-get install libgtk-3-0").doesNotContain("Exception");
    }

    @Test
    void javaFxStartFailuresBecomeSentences() {
        WindowCheck check = new WindowCheck(Map.of("DISPLAY", ":7"), lib -> true, WindowCheck.GTK_LIBRARY);
        assertThat(check.explain(new UnsupportedOperationException("Unable to load glass GTK library.")))
                .contains("apt-get install libgtk-3-0");
        assertThat(check.explain(new UnsupportedOperationException("Unable to open DISPLAY")))
                .startsWith("cannot open the display DISPLAY=:7");
    }

    @Test
    void withADisplayAndGtkTheWindowOpensAndItsStartFailureIsASentence() {
        WindowCheck ready = new WindowCheck(Map.of("DISPLAY", ":7"), lib -> true, WindowCheck.GTK_LIBRARY);
        int[] opened = {0};
        var out = new java.io.StringWriter();
        assertThat(new WindowLauncher(ready, () -> opened[0]++).open(false, new java.io.PrintWriter(out))).isZero();
        assertThat(opened[0]).isEqualTo(1);
        int exit = new WindowLauncher(ready, () -> {
            throw new UnsupportedOperationException("Unable to open DISPLAY");
        }).open(false, new java.io.PrintWriter(out));
        assertThat(exit).isEqualTo(2);
        assertThat(out.toString()).isEqualTo("qvit: cannot open the display DISPLAY=:7: is its X server running? "
                + "(xvfb-run -a ./qvit runs a virtual one)" + System.lineSeparator());
    }

    @Test
    void theProbeFindsLibrariesWhereTheDynamicLinkerLooks() throws Exception {
        // given one library in an LD_LIBRARY_PATH folder and one named by the linker's cache
        Path extra = Files.createDirectories(dir.resolve("extra"));
        Files.writeString(extra.resolve("libone.so.0"), "");
        Path cached = Files.createDirectories(dir.resolve("cached"));
        Files.writeString(cached.resolve("libtwo.so.0"), "");
        Path cache = dir.resolve("ld.so.cache");
        Files.write(cache, ("glibc-ld.so.cache1.1\0libtwo.so.0\0" + cached.resolve("libtwo.so.0") + "\0")
                .getBytes(StandardCharsets.ISO_8859_1));
        var libraries = new WindowCheck.SystemLibraries(Map.of("LD_LIBRARY_PATH", "/nowhere:" + extra), cache, List.of());
        // then both are found, and a library that is in neither is not
        assertThat(libraries.installed("libone.so.0")).isTrue();
        assertThat(libraries.installed("libtwo.so.0")).isTrue();
        assertThat(libraries.installed("libgtk-3-absent.so.0")).isFalse();
        // and a cache entry whose file is gone does not count
        Files.delete(cached.resolve("libtwo.so.0"));
        assertThat(libraries.installed("libtwo.so.0")).isFalse();
    }
}
