package dev.steady;

/** The setting a finding says to change, and the value to give it. */
public record Recommendation(String key, String value) {}
