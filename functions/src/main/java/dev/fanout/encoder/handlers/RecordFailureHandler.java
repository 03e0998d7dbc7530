package dev.fanout.encoder.handlers;

import dev.fanout.encoder.stages.RecordFailureStage;
import dev.fanout.encoder.stages.Messages.RecordFailureRequest;
import dev.fanout.encoder.stages.Messages.RecordFailureResult;

import java.util.Map;

/** Lambda entry point for {@link RecordFailureStage}. */
public final class RecordFailureHandler extends StageHandler<RecordFailureRequest, RecordFailureResult> {
    private final RecordFailureStage stage;

    public RecordFailureHandler() {
        this(System.getenv());
    }

    public RecordFailureHandler(Map<String, String> env) {
        super(RecordFailureRequest.class);
        this.stage = new RecordFailureStage(store(env), config(env));
    }

    @Override
    protected RecordFailureResult handle(RecordFailureRequest input) {
        return stage.run(input);
    }
}
