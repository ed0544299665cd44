// Package steady keeps Kafka consumer groups stable: rule checks that say what will make a
// group rebalance and what to set instead, and a consumer whose heartbeats run on a thread
// of its own, so a slow handler never makes its group rebalance.
//
// It wraps libsteady's C ABI (include/steady.h) with cgo. Handles are released by Close (with
// a cleanup as a backstop); every failure is an *Error carrying the C result code and, for
// Kafka errors, librdkafka's code and name.
package steady

/*
#cgo pkg-config: steady
#include <stdlib.h>
#include "steady.h"
*/
import "C"

import (
	"fmt"
	"sort"
	"unsafe"
)

// Result is a steady_result code of the C ABI.
type Result uint32

// The result codes (fixed values; see include/steady.h).
const (
	ResultOK                Result = C.STEADY_RESULT_OK
	ResultNullParameter     Result = C.STEADY_RESULT_NULL_PARAMETER
	ResultInvalidUTF8       Result = C.STEADY_RESULT_INVALID_UTF8
	ResultInvalidArgument   Result = C.STEADY_RESULT_INVALID_ARGUMENT
	ResultConfigIO          Result = C.STEADY_RESULT_CONFIG_IO
	ResultConfigSyntax      Result = C.STEADY_RESULT_CONFIG_SYNTAX
	ResultConfigRefused     Result = C.STEADY_RESULT_CONFIG_REFUSED
	ResultKafka             Result = C.STEADY_RESULT_KAFKA
	ResultBrokerUnreachable Result = C.STEADY_RESULT_BROKER_UNREACHABLE
	ResultBrokerProtocol    Result = C.STEADY_RESULT_BROKER_PROTOCOL
	ResultKafkaFatal        Result = C.STEADY_RESULT_KAFKA_FATAL
	ResultStalled           Result = C.STEADY_RESULT_STALLED
	ResultClosed            Result = C.STEADY_RESULT_CLOSED
	ResultTimeout           Result = C.STEADY_RESULT_TIMEOUT
	ResultPanic             Result = C.STEADY_RESULT_PANIC
	ResultInternal          Result = C.STEADY_RESULT_INTERNAL
)

// String is the library's static description of the code.
func (r Result) String() string {
	return C.GoString(C.steady_result_str(C.uint32_t(r)))
}

// Error is a failed call: its result code, a message naming the bad key, value or argument,
// and for Kafka errors librdkafka's code and name. errors.Is matches it against the sentinels
// (ErrClosed, ErrKafkaFatal, …) by result code.
type Error struct {
	code      Result
	message   string
	kafkaCode int
	kafkaName string
	fatal     bool
	retriable bool
}

// newError is an error made on the Go side, without Kafka detail.
func newError(code Result, message string) *Error {
	return &Error{code: code, message: message, fatal: code == ResultKafkaFatal || code == ResultInternal}
}

// Code is the C result code, such as ResultClosed or ResultKafkaFatal.
func (e *Error) Code() Result { return e.code }

// Message says what failed, naming the bad key, value or argument.
func (e *Error) Message() string { return e.message }

// KafkaCode is librdkafka's error code (rd_kafka_resp_err_t, e.g. 82 for FENCED_INSTANCE_ID);
// 0 when the error does not come from Kafka.
func (e *Error) KafkaCode() int { return e.kafkaCode }

// KafkaName is librdkafka's name of the error, such as "FENCED_INSTANCE_ID" or "_TRANSPORT";
// "" when the error does not come from Kafka.
func (e *Error) KafkaName() string { return e.kafkaName }

// IsFatal reports whether the consumer cannot go on (ResultKafkaFatal or ResultInternal): every
// later Poll, PollBatch and Commit returns the same error, and only Close is left.
func (e *Error) IsFatal() bool { return e.fatal }

// IsRetriable reports whether Kafka marked the error retriable: the same call may succeed later.
func (e *Error) IsRetriable() bool { return e.retriable }

// Error is the message with the result code.
func (e *Error) Error() string {
	return fmt.Sprintf("steady: %s (code %d)", e.message, uint32(e.code))
}

// Is reports whether target is an *Error with the same result code, so that
// errors.Is(err, ErrClosed) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.code == e.code
}

// sentinel is the error errors.Is matches every error of code against.
func sentinel(code Result) *Error { return newError(code, code.String()) }

// Sentinels for errors.Is; each matches every *Error of its result code.
var (
	// ErrClosed: the consumer was closed (Poll, PollBatch, Commit, Ack after Close).
	ErrClosed = sentinel(ResultClosed)
	// ErrConfigRefused: the rule checks refused the settings.
	ErrConfigRefused = sentinel(ResultConfigRefused)
	// ErrKafka: a Kafka error the consumer goes on after (ResultKafka; fatal ones match
	// ErrKafkaFatal instead).
	ErrKafka = sentinel(ResultKafka)
	// ErrKafkaFatal: a fatal Kafka error (a fenced static member, an unsupported assignor, …)
	// ended the consumer; only Close is left.
	ErrKafkaFatal = sentinel(ResultKafkaFatal)
	// ErrInternal: steady's poll thread died; only Close is left.
	ErrInternal = sentinel(ResultInternal)
	// ErrStalled: a record stayed unacked past steady.processing.timeout.ms.
	ErrStalled = sentinel(ResultStalled)
	// ErrTimeout: a wait ran out (Poll reports it as (nil, nil) instead).
	ErrTimeout = sentinel(ResultTimeout)
	// ErrInvalidArgument: an argument was unusable (a bad topic name, a timeout, a partition
	// not assigned to the consumer, NextEvent with steady.events.enable off, …).
	ErrInvalidArgument = sentinel(ResultInvalidArgument)
)

// call runs one fallible C function and turns a failure into an *Error.
func call(f func(errOut **C.steady_error) C.steady_result) error {
	var cerr *C.steady_error
	code := Result(f(&cerr))
	if code == ResultOK {
		return nil
	}
	return takeError(code, cerr)
}

// takeError turns a failed call's result and its C error (NULL: none; freed here) into an
// *Error.
func takeError(code Result, cerr *C.steady_error) *Error {
	if cerr == nil {
		return newError(code, code.String())
	}
	defer C.steady_error_free(cerr)
	return copyError(code, cerr)
}

// copyError copies a C error (which stays the caller's) into an *Error with code.
func copyError(code Result, cerr *C.steady_error) *Error {
	e := &Error{
		code:      code,
		message:   C.GoString(C.steady_error_message(cerr)),
		kafkaCode: int(C.steady_error_kafka_code(cerr)),
		fatal:     bool(C.steady_error_is_fatal(cerr)),
		retriable: bool(C.steady_error_is_retriable(cerr)),
	}
	if name := C.steady_error_kafka_name(cerr); name != nil {
		e.kafkaName = C.GoString(name)
	}
	return e
}

// cStrings holds C copies of Go strings until free is called.
type cStrings []*C.char

// add returns a C copy of s, released by free.
func (cs *cStrings) add(s string) *C.char {
	p := C.CString(s)
	*cs = append(*cs, p)
	return p
}

func (cs cStrings) free() {
	for _, p := range cs {
		C.free(unsafe.Pointer(p))
	}
}

// newSettings builds C settings from a map (in key order, so errors are reproducible).
// The caller releases them with C.steady_settings_free.
func newSettings(settings map[string]string) (*C.steady_settings, error) {
	var s *C.steady_settings
	if err := call(func(**C.steady_error) C.steady_result { return C.steady_settings_new(&s) }); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var strs cStrings
	defer strs.free()
	for _, k := range keys {
		key, value := strs.add(k), strs.add(settings[k])
		if err := call(func(e **C.steady_error) C.steady_result { return C.steady_settings_set(s, key, value, e) }); err != nil {
			C.steady_settings_free(s)
			return nil, err
		}
	}
	return s, nil
}

// ownedString copies and releases a string steady returned as owned.
func ownedString(p *C.char) string {
	defer C.steady_string_free(p)
	return C.GoString(p)
}

// Version is the library's version, such as "0.1.0".
func Version() string {
	return C.GoString(C.steady_version())
}
