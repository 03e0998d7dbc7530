package dev.fanout.encoder.handlers;

import dev.fanout.encoder.stages.EncodeChunkStage;
import dev.fanout.encoder.stages.Messages.EncodeChunkRequest;
import dev.fanout.encoder.stages.Messages.EncodeChunkResult;

import java.util.Map;

/** Lambda entry point for {@link EncodeChunkStage}. */
public final class EncodeChunkHandler extends StageHandler<EncodeChunkRequest, EncodeChunkResult> {
    private final EncodeChunkStage stage;

    public EncodeChunkHandler() {
        this(System.getenv());
    }

    public EncodeChunkHandler(Map<String, String> env) {
        super(EncodeChunkRequest.class);
        this.stage = new EncodeChunkStage(store(env), config(env));
    }

    @Override
    protected EncodeChunkResult handle(EncodeChunkRequest input) {
        return stage.run(input);
    }
}
