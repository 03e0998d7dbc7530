package dev.fanout.encoder.handlers;

import dev.fanout.encoder.stages.ProbeStage;
import dev.fanout.encoder.stages.Messages.ProbeRequest;
import dev.fanout.encoder.stages.Messages.ProbeResult;

import java.util.Map;

/** Lambda entry point for {@link ProbeStage}. */
public final class ProbeHandler extends StageHandler<ProbeRequest, ProbeResult> {
    private final ProbeStage stage;

    public ProbeHandler() {
        this(System.getenv());
    }

    public ProbeHandler(Map<String, String> env) {
        super(ProbeRequest.class);
        this.stage = new ProbeStage(store(env), config(env));
    }

    @Override
    protected ProbeResult handle(ProbeRequest input) {
        return stage.run(input);
    }
}
