// Package steady keeps Kafka consumer groups stable: rule checks that say what will make a
// group rebalance and what to set instead, and a consumer whose heartbeats run on a thread
// of its own, so a slow handler never makes its group rebalance.
//
// It wraps libsteady's C ABI (include/steady.h) with cgo. Handles are released by Close (with
// a cleanup as a backstop); every failure is an *Error carrying the C result code.
package steady

/*
#cgo CFLAGS: -I${SRCDIR}/../include
#cgo LDFLAGS: -L${SRCDIR}/../target/release -Wl,-rpath,${SRCDIR}/../target/release -lsteady
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
	ResultStalled           Result = C.STEADY_RESULT_STALLED
	ResultClosed            Result = C.STEADY_RESULT_CLOSED
	ResultTimeout           Result = C.STEADY_RESULT_TIMEOUT
	ResultPanic             Result = C.STEADY_RESULT_PANIC
)

// String is the library's static description of the code.
func (r Result) String() string {
	return C.GoString(C.steady_result_str(C.uint32_t(r)))
}

// Error is a failed call: its result code and a message naming the bad key, value or argument.
type Error struct {
	Code    Result
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("steady: %s (code %d)", e.Message, uint32(e.Code))
}

// Is reports whether target is an *Error with the same code, so errors.Is(err, ErrClosed) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	// ErrClosed: the consumer was closed.
	ErrClosed = &Error{Code: ResultClosed, Message: ResultClosed.String()}
	// ErrConfigRefused: the rule checks refused the settings.
	ErrConfigRefused = &Error{Code: ResultConfigRefused, Message: ResultConfigRefused.String()}
)

// call runs one fallible C function and turns a failure into an *Error.
func call(f func(errOut **C.steady_error) C.steady_result) error {
	var cerr *C.steady_error
	code := Result(f(&cerr))
	if code == ResultOK {
		return nil
	}
	message := code.String()
	if cerr != nil {
		message = C.GoString(C.steady_error_message(cerr))
		C.steady_error_free(cerr)
	}
	return &Error{Code: code, Message: message}
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
