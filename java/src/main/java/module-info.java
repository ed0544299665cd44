/**
 * steady's Java binding: the rule checks, the broker probe and the heartbeat-decoupled consumer,
 * over libsteady's C ABI (Foreign Function and Memory API). Grant it native access with
 * {@code --enable-native-access=dev.steady} when it is on the module path.
 */
module dev.steady {
    exports dev.steady;
}
