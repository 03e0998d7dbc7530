package dev.fanout.encoder.handlers;

import dev.fanout.encoder.stages.Messages.ThumbnailsRequest;
import dev.fanout.encoder.stages.Messages.ThumbnailsResult;
import dev.fanout.encoder.stages.ThumbnailStage;

import java.util.Map;

/** Lambda entry point for {@link ThumbnailStage}. */
public final class ThumbnailHandler extends StageHandler<ThumbnailsRequest, ThumbnailsResult> {
    private final ThumbnailStage stage;

    public ThumbnailHandler() {
        this(System.getenv());
    }

    public ThumbnailHandler(Map<String, String> env) {
        super(ThumbnailsRequest.class);
        this.stage = new ThumbnailStage(store(env), config(env));
    }

    @Override
    protected ThumbnailsResult handle(ThumbnailsRequest input) {
        return stage.run(input);
    }
}
