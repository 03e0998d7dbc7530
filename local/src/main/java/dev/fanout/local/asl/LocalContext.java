package dev.fanout.local.asl;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The Lambda {@link Context} a handler gets in a local run: its remaining time counts down from the
 * function's {@code Timeout} in template.yaml, as on Lambda, so code that sizes its work by the
 * time left (ffmpeg's limit) behaves here as it will there.
 */
final class LocalContext implements Context {
    private final String functionName;
    private final int memoryMb;
    private final long deadlineNanos;
    private final String requestId = UUID.randomUUID().toString();

    LocalContext(String functionName, int timeoutSeconds, int memoryMb) {
        this.functionName = functionName;
        this.memoryMb = memoryMb;
        this.deadlineNanos = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    }

    boolean expired() { return System.nanoTime() > deadlineNanos; }

    @Override public String getAwsRequestId() { return requestId; }
    @Override public String getLogGroupName() { return "/aws/lambda/" + functionName; }
    @Override public String getLogStreamName() { return "local"; }
    @Override public String getFunctionName() { return functionName; }
    @Override public String getFunctionVersion() { return "$LATEST"; }
    @Override public String getInvokedFunctionArn() { return SamTemplate.LOCAL_FUNCTION_ARN_PREFIX + functionName; }
    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }
    @Override public int getRemainingTimeInMillis() { return (int) Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000); }
    @Override public int getMemoryLimitInMB() { return memoryMb; }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override public void log(String message) { System.out.print(message); }
            @Override public void log(byte[] message) { System.out.print(new String(message, StandardCharsets.UTF_8)); }
        };
    }
}
