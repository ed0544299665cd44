package steady

/*
#include <stdint.h>
#include "steady.h"
*/
import "C"

import (
	"context"
	"log/slog"
	"runtime/cgo"
	"unsafe"
)

// Option configures NewConsumer.
type Option func(*consumerOptions)

// consumerOptions are what the Options of NewConsumer set.
type consumerOptions struct {
	// logger receives the consumer's log records; nil: slog.Default() at each record.
	logger *slog.Logger
}

// WithLogger sends the consumer's log records to l instead of slog.Default(). nil means
// slog.Default().
//
// Records are steady's own (attribute logger="steady": start-up findings of the rule checks
// with facility "config", rebalances with facility "rebalance" ("assigned t/0, t/1",
// "revoked …", "lost …"), failed commits, stalls and errors) and librdkafka's log lines
// (logger="steady.librdkafka", facility librdkafka's, such as "CGRPOP" or "HEARTBEAT";
// debug=cgrp,consumer raises librdkafka's level to debug). Levels are slog.LevelError,
// LevelWarn, LevelInfo and LevelDebug; the message is the record's text. Each carries the
// attributes "logger" and "facility".
//
// The handler is called on a thread of the consumer's own ("steady-log"), one record at a time,
// never on librdkafka's threads or the poll thread: a slow handler does not stall the consumer
// (beyond a queue of 4096 records, records are dropped and counted). Close waits up to 5 s for
// the queued records to reach it; none comes after Close returns.
func WithLogger(l *slog.Logger) Option {
	return func(o *consumerOptions) { o.logger = l }
}

// logTarget is what the C log callback's user_data (a cgo.Handle) stands for.
type logTarget struct {
	logger *slog.Logger
}

// newLogHandle is the cgo.Handle of a consumer's log target; deleted once the C consumer is
// freed (or its creation failed), after which the C side makes no call with it.
func newLogHandle(o consumerOptions) cgo.Handle {
	return cgo.NewHandle(&logTarget{logger: o.logger})
}

// slogLevel is the slog level of a steady_log_level_t.
func slogLevel(level C.steady_log_level_t) slog.Level {
	switch level {
	case C.STEADY_LOG_ERROR:
		return slog.LevelError
	case C.STEADY_LOG_WARN:
		return slog.LevelWarn
	case C.STEADY_LOG_DEBUG:
		return slog.LevelDebug
	default:
		return slog.LevelInfo
	}
}

// steadyGoLog is the C log callback (steady_log_cb): called by libsteady on a consumer's
// steady-log thread with the consumer's cgo.Handle as userData. It never lets a panic (of a
// handler, or of a handle already deleted) cross into C.
//
//export steadyGoLog
func steadyGoLog(userData unsafe.Pointer, level C.steady_log_level_t, logger, facility, message *C.char) {
	defer func() { _ = recover() }()
	target, ok := cgo.Handle(uintptr(userData)).Value().(*logTarget)
	if !ok {
		return
	}
	l := target.logger
	if l == nil {
		l = slog.Default()
	}
	lvl := slogLevel(level)
	ctx := context.Background()
	if !l.Enabled(ctx, lvl) {
		return
	}
	l.LogAttrs(ctx, lvl, C.GoString(message),
		slog.String("logger", C.GoString(logger)),
		slog.String("facility", C.GoString(facility)))
}
