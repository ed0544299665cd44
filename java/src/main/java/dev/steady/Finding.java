package dev.steady;

/**
 * One problem found by one rule.
 *
 * @param rule the stable rule id, such as "ST006"
 * @param severity "error", "warning" or "info"
 * @param key the setting concerned (or "broker", "client", "group")
 * @param message what is wrong and why
 * @param recommendation what to set instead; null when no setting fixes it
 * @param source where the rule comes from
 */
public record Finding(
        String rule, String severity, String key, String message, Recommendation recommendation, String source) {}
