package dev.steady;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A partition an {@link Event} names, with an offset where the event has one: for
 * {@link EventKind#ASSIGNED} the committed offset the partition starts from (empty: nothing
 * committed), for {@link EventKind#COMMITTED} the offset committed (the next to read); empty for
 * {@link EventKind#REVOKED} and {@link EventKind#LOST}.
 *
 * @param topic the topic
 * @param partition the partition number
 * @param offset the offset, or empty when there is none
 */
public record PartitionOffset(String topic, int partition, OptionalLong offset) {
    /** Refuses a null topic or offset. */
    public PartitionOffset {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(offset, "offset");
    }

    /** "topic/partition", with "@offset" when there is one. */
    @Override
    public String toString() {
        return topic + "/" + partition + (offset.isPresent() ? "@" + offset.getAsLong() : "");
    }
}
