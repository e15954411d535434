// Exit codes and the one-line error report (see exit_codes.hpp).

#include "exit_codes.hpp"

#include "arguments.hpp"  // ArgumentSyntaxError

#include "orrery/core/any_value.hpp"  // type_name
#include "orrery/core/errors.hpp"

#include <exception>
#include <filesystem>
#include <new>
#include <ostream>
#include <string>
#include <string_view>
#include <typeinfo>

namespace orrery::cli {

/// The category of any exception: orrery errors carry theirs; file-system
/// errors are input errors; anything else is a failed step.
ErrorCategory category_of(const std::exception& e) {
    if (const auto* oe = dynamic_cast<const Error*>(&e)) return oe->category();
    if (dynamic_cast<const std::filesystem::filesystem_error*>(&e)) return ErrorCategory::input_data;
    if (dynamic_cast<const std::bad_alloc*>(&e)) return ErrorCategory::internal;
    return ErrorCategory::step_failed;
}

int exit_code_of(const std::exception& e) { return exit_code(category_of(e)); }

int stpipe_exit_code(const std::exception& e) {
    constexpr int argparse_usage = 2;
    if (dynamic_cast<const ArgumentSyntaxError*>(&e)) return argparse_usage;
    if (const auto* unknown = dynamic_cast<const UnknownParameterError*>(&e); unknown && unknown->source().starts_with("--")) return argparse_usage;
    return 1;
}

/// The message as one line (embedded newlines become "; ").
std::string one_line(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') {
            if (!out.empty()) out += "; ";
        } else if (c != '\r') {
            out += c;
        }
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
    return out;
}

/// "<prog>: error: <message>" (one line); with `debug`, the cause chain, the
/// category, the exit code and the exception type follow on further lines.
int report_error(std::ostream& err, std::string_view prog, const std::exception& e, bool debug) {
    const ErrorCategory cat = category_of(e);
    const int code = exit_code(cat);
    err << prog << ": error: " << one_line(e.what()) << "\n";
    if (debug) {
        if (const auto* oe = dynamic_cast<const Error*>(&e); oe && !oe->cause().empty()) err << "  caused by: " << oe->cause() << "\n";
        err << "  category: " << category_name(cat) << " (exit " << code << ")\n";
        err << "  exception: " << type_name(typeid(e)) << "\n";
    }
    err.flush();
    return code;
}

}  // namespace orrery::cli
