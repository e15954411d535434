#pragma once
// The error hierarchy. Every error carries a stable category that the command
// line maps to an exit code, and a one-line message that names the file, field
// or parameter at fault. `what()` is that line; `chain()` adds causes for --debug.

#include <stdexcept>
#include <string>
#include <utility>

namespace orrery {

enum class ErrorCategory {
    usage,          // bad command line, unknown step/parameter, bad value      -> exit 2
    configuration,  // parameter files, pipeline construction, type mismatch   -> exit 2
    input_data,     // unreadable, truncated or inconsistent input/reference   -> exit 3
    step_failed,    // a step raised while computing                           -> exit 1
    no_science,     // nothing to calibrate (all saturated, ...)               -> exit 64
    not_supported,  // a feature this version does not implement               -> exit 2
    cancelled,      // cancellation requested                                  -> exit 1
    internal,       // a bug                                                   -> exit 1
};

/// Exit code for a category (documented in docs/cli.md).
constexpr int exit_code(ErrorCategory c) noexcept {
    switch (c) {
        case ErrorCategory::usage:
        case ErrorCategory::configuration:
        case ErrorCategory::not_supported: return 2;
        case ErrorCategory::input_data: return 3;
        case ErrorCategory::no_science: return 64;
        case ErrorCategory::step_failed:
        case ErrorCategory::cancelled:
        case ErrorCategory::internal: return 1;
    }
    return 1;
}

constexpr const char* category_name(ErrorCategory c) noexcept {
    switch (c) {
        case ErrorCategory::usage: return "usage";
        case ErrorCategory::configuration: return "configuration";
        case ErrorCategory::input_data: return "input-data";
        case ErrorCategory::step_failed: return "step-failed";
        case ErrorCategory::no_science: return "no-science-data";
        case ErrorCategory::not_supported: return "not-supported";
        case ErrorCategory::cancelled: return "cancelled";
        case ErrorCategory::internal: return "internal";
    }
    return "internal";
}

class Error : public std::runtime_error {
public:
    Error(ErrorCategory category, const std::string& message, std::string cause = {})
        : std::runtime_error(message), category_(category), cause_(std::move(cause)) {}
    [[nodiscard]] ErrorCategory category() const noexcept { return category_; }
    /// The underlying cause (library message, nested error), possibly empty.
    [[nodiscard]] const std::string& cause() const noexcept { return cause_; }
    [[nodiscard]] std::string chain() const { return cause_.empty() ? what() : std::string(what()) + "\n  caused by: " + cause_; }

private:
    ErrorCategory category_;
    std::string cause_;
};

#define ORRERY_DEFINE_ERROR(Name, category_value)                                          \
    class Name : public Error {                                                          \
    public:                                                                              \
        explicit Name(const std::string& message, std::string cause = {})                \
            : Error(ErrorCategory::category_value, message, std::move(cause)) {}         \
    };

ORRERY_DEFINE_ERROR(UsageError, usage)
ORRERY_DEFINE_ERROR(ConfigError, configuration)
ORRERY_DEFINE_ERROR(InputError, input_data)
ORRERY_DEFINE_ERROR(StepError, step_failed)
ORRERY_DEFINE_ERROR(NoScienceError, no_science)
ORRERY_DEFINE_ERROR(NotSupportedError, not_supported)
ORRERY_DEFINE_ERROR(CancelledError, cancelled)
ORRERY_DEFINE_ERROR(InternalError, internal)
#undef ORRERY_DEFINE_ERROR

/// A parameter error names the key and where its value came from.
class ParameterError : public ConfigError {
public:
    ParameterError(const std::string& key, const std::string& source, const std::string& problem)
        : ConfigError("parameter '" + key + "'" + (source.empty() ? "" : " (from " + source + ")") + ": " + problem),
          key_(key), source_(source) {}
    [[nodiscard]] const std::string& key() const noexcept { return key_; }
    [[nodiscard]] const std::string& source() const noexcept { return source_; }

private:
    std::string key_, source_;
};

/// A parameter name the step does not declare (stpipe's strun reports these from its
/// argument parser, with a usage exit status, when they come from the command line).
class UnknownParameterError : public ParameterError {
public:
    using ParameterError::ParameterError;
};

}  // namespace orrery
