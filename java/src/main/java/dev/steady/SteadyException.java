package dev.steady;

/** A failed call: its result code and a message naming the bad key, value or argument. */
public final class SteadyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Result result;
    private final int code;

    SteadyException(int code, String message) {
        super(message + " (code " + code + ")");
        this.code = code;
        this.result = Result.of(code);
    }

    /** The result code. */
    public Result result() {
        return result;
    }

    /** The numeric result code, as in include/steady.h. */
    public int code() {
        return code;
    }
}
