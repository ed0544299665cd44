package dev.steady;

/**
 * One record header.
 *
 * @param name its name
 * @param value its value; null when it has none
 */
public record Header(String name, byte[] value) {}
