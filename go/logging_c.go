package steady

// The C side of the log callback. A file with //export may only declare in its preamble, so
// the helper that hands steadyGoLog (logging.go) to libsteady lives here.

/*
#include <stdint.h>
#include "steady.h"

extern void steadyGoLog(void *user_data, steady_log_level_t level, char *logger, char *facility,
                        char *message);

// Installs steadyGoLog with the cgo.Handle h as user_data (converted here, so that Go never
// turns an integer into an unsafe.Pointer).
static steady_result steady_go_set_log_callback(steady_settings *s, uintptr_t h) {
    return steady_settings_set_log_callback(s, (steady_log_cb)steadyGoLog, (void *)h);
}
*/
import "C"

import "runtime/cgo"

// setLogCallback installs steadyGoLog with h on the C settings s.
func setLogCallback(s *C.steady_settings, h cgo.Handle) error {
	return call(func(**C.steady_error) C.steady_result {
		return C.steady_go_set_log_callback(s, C.uintptr_t(h))
	})
}
