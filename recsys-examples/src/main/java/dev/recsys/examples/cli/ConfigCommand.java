package dev.recsys.examples.cli;

import dev.recsys.examples.workflow.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code recsys config}: prints the effective config (defaults, file, overrides) as JSON. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description =
                "Print the effective training config: the defaults, merged with --config FILE and --set overrides (docs/CONFIG.md).")
final class ConfigCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Config file (.json, .yaml).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key.")
    List<String> overrides = new ArrayList<>();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(ConfigLoader.toJson(ConfigLoader.load(config, overrides)));
        return Main.OK;
    }
}
