package dev.fanout.encoder.handlers;

import dev.fanout.encoder.stages.PackageStage;
import dev.fanout.encoder.stages.Messages.PackageRequest;
import dev.fanout.encoder.stages.Messages.PackageResult;

import java.util.Map;

/** Lambda entry point for {@link PackageStage}. */
public final class PackageHandler extends StageHandler<PackageRequest, PackageResult> {
    private final PackageStage stage;

    public PackageHandler() {
        this(System.getenv());
    }

    public PackageHandler(Map<String, String> env) {
        super(PackageRequest.class);
        this.stage = new PackageStage(store(env), config(env));
    }

    @Override
    protected PackageResult handle(PackageRequest input) {
        return stage.run(input);
    }
}
