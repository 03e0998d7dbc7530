package dev.fanout.encoder.handlers;

import dev.fanout.encoder.stages.EncodeAudioStage;
import dev.fanout.encoder.stages.Messages.EncodeAudioRequest;
import dev.fanout.encoder.stages.Messages.EncodeAudioResult;

import java.util.Map;

/** Lambda entry point for {@link EncodeAudioStage}. */
public final class EncodeAudioHandler extends StageHandler<EncodeAudioRequest, EncodeAudioResult> {
    private final EncodeAudioStage stage;

    public EncodeAudioHandler() {
        this(System.getenv());
    }

    public EncodeAudioHandler(Map<String, String> env) {
        super(EncodeAudioRequest.class);
        this.stage = new EncodeAudioStage(store(env), config(env));
    }

    @Override
    protected EncodeAudioResult handle(EncodeAudioRequest input) {
        return stage.run(input);
    }
}
