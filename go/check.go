package steady

/*
#include "steady.h"
*/
import "C"

import "time"

// CheckOptions is what a check knows besides the settings. Zero values mean unknown, and rules
// whose inputs are unknown stay silent.
type CheckOptions struct {
	// Dialect of the client: "java", "librdkafka" or "steady" ("": guessed from the keys).
	Dialect string
	// ClientVersion such as "0.10.0".
	ClientVersion string
	// Heartbeat: "coupled" (only inside poll) or "decoupled" (a background thread).
	Heartbeat string
	// BrokerVersion such as "0.10.0".
	BrokerVersion string
	// Profile of the service: "apache" (default), "alibaba" or "azure-event-hubs".
	Profile string
	// RatePerThread is records per second one thread processes; Threads the consumer threads.
	// Set both or neither.
	RatePerThread float64
	Threads       uint32
	// RecordMsP50 and RecordMsP99 are processing times per record in ms. Set both or neither.
	RecordMsP50 float64
	RecordMsP99 float64
	// Probe, when set, asks the broker what it is and uses the answer (replaces BrokerVersion).
	Probe *ProbeTarget
}

// ProbeTarget says where and how to probe a broker.
type ProbeTarget struct {
	// BootstrapServers as "host:port[,host:port…]".
	BootstrapServers string
	// Group, when not empty, is a live group to describe.
	Group string
	// Timeout bounds the probe (default 10 s).
	Timeout time.Duration
}

// Recommendation is the setting a finding says to change and the value to give it.
type Recommendation struct {
	Key   string
	Value string
}

// Finding is one problem found by one rule.
type Finding struct {
	// Rule is the stable id, such as "ST006".
	Rule string
	// Severity is "error", "warning" or "info".
	Severity string
	// Key is the setting concerned (or "broker", "client", "group").
	Key string
	// Message says what is wrong and why.
	Message string
	// Recommendation is nil when no setting fixes it.
	Recommendation *Recommendation
	// Source is where the rule comes from.
	Source string
}

// Report is the outcome of a check: findings, most severe first.
type Report struct {
	Findings []Finding
	json     string
}

// JSON is the report as the CLI's `--format json` prints it.
func (r *Report) JSON() string { return r.json }

// Find returns the first finding of rule, or nil.
func (r *Report) Find(rule string) *Finding {
	for i := range r.Findings {
		if r.Findings[i].Rule == rule {
			return &r.Findings[i]
		}
	}
	return nil
}

// Check runs every rule over settings and opts.
func Check(settings map[string]string, opts CheckOptions) (*Report, error) {
	s, err := newSettings(settings)
	if err != nil {
		return nil, err
	}
	defer C.steady_settings_free(s)
	var o *C.steady_check_options
	if err := call(func(**C.steady_error) C.steady_result { return C.steady_check_options_new(&o) }); err != nil {
		return nil, err
	}
	defer C.steady_check_options_free(o)
	if err := opts.apply(o, s); err != nil {
		return nil, err
	}
	var r *C.steady_report
	if err := call(func(e **C.steady_error) C.steady_result { return C.steady_check(s, o, &r, e) }); err != nil {
		return nil, err
	}
	return takeReport(r)
}

// apply sets the known options on o; s supplies security settings to a probe.
func (opts *CheckOptions) apply(o *C.steady_check_options, s *C.steady_settings) error {
	var strs cStrings
	defer strs.free()
	words := []struct {
		value string
		set   func(*C.steady_check_options, *C.char, **C.steady_error) C.steady_result
	}{
		{opts.Dialect, func(o *C.steady_check_options, v *C.char, e **C.steady_error) C.steady_result {
			return C.steady_check_options_set_dialect(o, v, e)
		}},
		{opts.ClientVersion, func(o *C.steady_check_options, v *C.char, e **C.steady_error) C.steady_result {
			return C.steady_check_options_set_client_version(o, v, e)
		}},
		{opts.Heartbeat, func(o *C.steady_check_options, v *C.char, e **C.steady_error) C.steady_result {
			return C.steady_check_options_set_heartbeat(o, v, e)
		}},
		{opts.BrokerVersion, func(o *C.steady_check_options, v *C.char, e **C.steady_error) C.steady_result {
			return C.steady_check_options_set_broker_version(o, v, e)
		}},
		{opts.Profile, func(o *C.steady_check_options, v *C.char, e **C.steady_error) C.steady_result {
			return C.steady_check_options_set_profile(o, v, e)
		}},
	}
	for _, w := range words {
		if w.value == "" {
			continue
		}
		v := strs.add(w.value)
		if err := call(func(e **C.steady_error) C.steady_result { return w.set(o, v, e) }); err != nil {
			return err
		}
	}
	if opts.RatePerThread != 0 || opts.Threads != 0 {
		if err := call(func(e **C.steady_error) C.steady_result {
			return C.steady_check_options_set_workload(o, C.double(opts.RatePerThread), C.uint32_t(opts.Threads), e)
		}); err != nil {
			return err
		}
	}
	if opts.RecordMsP50 != 0 || opts.RecordMsP99 != 0 {
		if err := call(func(e **C.steady_error) C.steady_result {
			return C.steady_check_options_set_record_ms(o, C.double(opts.RecordMsP50), C.double(opts.RecordMsP99), e)
		}); err != nil {
			return err
		}
	}
	if p := opts.Probe; p != nil {
		servers, group := strs.add(p.BootstrapServers), (*C.char)(nil)
		if p.Group != "" {
			group = strs.add(p.Group)
		}
		if err := call(func(e **C.steady_error) C.steady_result {
			return C.steady_check_options_probe(o, servers, s, group, probeMillis(p.Timeout), e)
		}); err != nil {
			return err
		}
	}
	return nil
}

// takeReport copies a C report into Go and releases it.
func takeReport(r *C.steady_report) (*Report, error) {
	defer C.steady_report_free(r)
	report := &Report{}
	for i := C.size_t(0); i < C.steady_report_count(r); i++ {
		f := C.steady_report_finding(r, i)
		finding := Finding{
			Rule:     C.GoString(C.steady_finding_rule(f)),
			Severity: C.GoString(C.steady_finding_severity(f)),
			Key:      C.GoString(C.steady_finding_key(f)),
			Message:  C.GoString(C.steady_finding_message(f)),
			Source:   C.GoString(C.steady_finding_source(f)),
		}
		if key := C.steady_finding_recommended_key(f); key != nil {
			finding.Recommendation = &Recommendation{
				Key:   C.GoString(key),
				Value: C.GoString(C.steady_finding_recommended_value(f)),
			}
		}
		report.Findings = append(report.Findings, finding)
	}
	var json *C.char
	if err := call(func(e **C.steady_error) C.steady_result { return C.steady_report_to_json(r, &json, e) }); err != nil {
		return nil, err
	}
	report.json = ownedString(json)
	return report, nil
}

// defaultProbeTimeout bounds a probe whose timeout is not given.
const defaultProbeTimeout = 10 * time.Second

// probeMillis is a probe's timeout in ms (0: the default).
func probeMillis(timeout time.Duration) C.int32_t {
	if timeout <= 0 {
		timeout = defaultProbeTimeout
	}
	return millis(timeout)
}

// Probe asks the broker at bootstrapServers what it is (version range, KIP-62, static membership,
// KIP-848, session window) and, when group is not empty, describes that live group. The facts
// are returned as JSON. settings supplies security settings (may be nil).
func Probe(bootstrapServers string, settings map[string]string, group string, timeout time.Duration) (string, error) {
	s, err := newSettings(settings)
	if err != nil {
		return "", err
	}
	defer C.steady_settings_free(s)
	var strs cStrings
	defer strs.free()
	servers, g := strs.add(bootstrapServers), (*C.char)(nil)
	if group != "" {
		g = strs.add(group)
	}
	var json *C.char
	if err := call(func(e **C.steady_error) C.steady_result {
		return C.steady_probe(servers, s, g, probeMillis(timeout), &json, e)
	}); err != nil {
		return "", err
	}
	return ownedString(json), nil
}
