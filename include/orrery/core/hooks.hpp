#pragma once
// pre_hooks / post_hooks. An entry is, in lookup order:
//  1. a registered hook function name (ORRERY_REGISTER_HOOK), called on the data in place;
//  2. a registered step (alias or class name, optionally "name(a=1, b='x')"), run on the data,
//     whose result replaces it;
//  3. anything else: a shell command, run by /bin/sh. "{0}" (also written '{0}' or "{0}") stands
//     for the data saved through product_traits into a private temporary directory, which is
//     removed afterwards. The file names reach the shell as its arguments ("$@"), never as text
//     in the command, so a name cannot inject shell code; write {0} where one word goes, not
//     inside a longer quoted string. A non-zero exit status is an error.
// Shell commands are trusted only from the command line and the user's own parameter file:
// the parameter layer refuses them in pars-* files of a reference directory (precedence.hpp).

#include "orrery/core/any_value.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/output_naming.hpp"
#include "orrery/core/param_value.hpp"
#include "orrery/core/product.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/shell_command.hpp"
#include "orrery/core/temp_directory.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <typeindex>
#include <vector>

namespace orrery {

class HookRegistry {
public:
    using Erased = std::function<void(void* value, std::type_index type, Context&)>;
    static HookRegistry& instance() {
        static HookRegistry r;
        return r;
    }
    template <class T>
    void add(const std::string& name, void (*fn)(T&, Context&)) {
        std::lock_guard lock(mutex_);
        hooks_.insert_or_assign(name, Entry{typeid(T), type_name<T>(), [fn](void* v, std::type_index, Context& ctx) { fn(*static_cast<T*>(v), ctx); }});
    }
    struct Entry {
        std::type_index type;
        std::string type_name;
        Erased call;
    };
    [[nodiscard]] const Entry* find(const std::string& name) const {
        std::lock_guard lock(mutex_);
        auto it = hooks_.find(name);
        return it == hooks_.end() ? nullptr : &it->second;
    }

private:
    mutable std::mutex mutex_;
    std::map<std::string, Entry> hooks_;
};

namespace detail {
/// "pkg.Step(a=1, b='x')" -> {"pkg.Step", {a: 1, b: x}}.
inline std::pair<std::string, ParamNode> parse_hook_call(const std::string& entry) {
    ParamNode args = ParamNode::map("hook '" + entry + "'");
    auto open = entry.find('(');
    if (open == std::string::npos || entry.back() != ')') return {entry, args};
    std::string name = entry.substr(0, open);
    std::string inner = entry.substr(open + 1, entry.size() - open - 2);
    std::size_t pos = 0;
    while (pos < inner.size()) {
        auto comma = inner.find(',', pos);
        std::string part = inner.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        pos = comma == std::string::npos ? inner.size() : comma + 1;
        auto eq = part.find('=');
        if (eq == std::string::npos) continue;
        std::string key(trim(part.substr(0, eq)));
        std::string value(trim(part.substr(eq + 1)));
        bool quoted = value.size() >= 2 && (value.front() == '\'' || value.front() == '"') && value.back() == value.front();
        if (quoted) value = value.substr(1, value.size() - 2);
        args.set(key, ParamNode::scalar(value, "hook '" + entry + "'", quoted));
    }
    return {name, args};
}

inline bool looks_like_identifier_path(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':')) return false;
    return true;
}
/// The command with each {0}, '{0}' and "{0}" turned into "$@" (the saved files, one word each).
inline std::string files_as_shell_arguments(std::string command) {
    for (const char* form : {"'{0}'", "\"{0}\"", "{0}"}) {
        const std::string f(form);
        for (auto at = command.find(f); at != std::string::npos; at = command.find(f, at + 4)) command.replace(at, f.size(), "\"$@\"");
    }
    return command;
}
}  // namespace detail

enum class HookKind { function, step, shell_command };

/// What a pre_hooks / post_hooks entry names (see the header comment for the lookup order).
inline HookKind hook_kind(const std::string& entry) {
    if (HookRegistry::instance().find(entry)) return HookKind::function;
    const std::string name = detail::parse_hook_call(entry).first;
    if (detail::looks_like_identifier_path(name) && Registry::instance().find(name)) return HookKind::step;
    return HookKind::shell_command;
}

template <class T>
void run_hooks(const std::vector<std::string>& hooks, T& value, Context& ctx, const std::string& step_alias, const char* when) {
    for (const auto& entry : hooks) {
        if (const auto* fn = HookRegistry::instance().find(entry)) {
            if (fn->type != std::type_index(typeid(T)))
                throw ConfigError("step '" + step_alias + "': " + when + " hook '" + entry + "' takes " + fn->type_name + ", the step's data is " +
                                  type_name<T>());
            fn->call(&value, typeid(T), ctx);
            continue;
        }
        auto [name, args] = detail::parse_hook_call(entry);
        const StepInfo* step = detail::looks_like_identifier_path(name) ? Registry::instance().find(name) : nullptr;
        if (step) {
            if (step->input_type != std::type_index(typeid(T)) || step->output_type != std::type_index(typeid(T)))
                throw ConfigError("step '" + step_alias + "': " + when + " hook step '" + name + "' maps " + step->input_type_name + " -> " +
                                  step->output_type_name + ", the step's data is " + type_name<T>());
            auto hook = step->factory();
            hook->configure(args);
            AnyValue out = hook->run(AnyValue(std::move(value)), ctx);
            value = out.template take<T>();
            continue;
        }
        std::vector<std::string> files;
        std::optional<TempDirectory> dir;  // removed when this hook is done, whatever happens
        const bool uses_file = entry.find("{0}") != std::string::npos;
        if (uses_file) {
            if constexpr (!Saveable<T>) {
                throw ConfigError("step '" + step_alias + "': " + when + " hook command '" + entry + "' uses {0} but " + type_name<T>() +
                                  " cannot be saved to a file");
            } else {
                dir.emplace("orrery-hook-");
                OutputNamer namer(dir->path(), step_alias, "_", std::string(product_extension<T>()));
                for (const auto& p : product_traits<T>::save(value, namer, when)) files.push_back(p.string());
            }
        }
        std::string shown = entry;
        for (const auto& f : files) shown += (&f == &files.front() ? "  ({0} = " : " ") + f;
        ctx.info("Running " + std::string(when) + " hook: " + shown + (files.empty() ? "" : ")"));
        const int rc = run_shell_script(uses_file ? detail::files_as_shell_arguments(entry) : entry, files);
        if (rc != 0)
            throw StepError("step '" + step_alias + "': " + when + " hook command '" + entry + "' exited with status " + std::to_string(rc));
    }
}

}  // namespace orrery

/// Register a hook function `void fn(T&, orrery::Context&)` under a (dotted) name.
/// (Internal linkage: each translation unit that expands it registers again, harmlessly.)
#define ORRERY_REGISTER_HOOK(name_string, function)                                                    \
    namespace {                                                                                         \
    [[maybe_unused]] const bool ORRERY_DETAIL_CAT(orrery_hook_registered_, __COUNTER__) =               \
        (::orrery::HookRegistry::instance().add(name_string, &function), true);                         \
    }
#define ORRERY_DETAIL_CAT_(a, b) a##b
#define ORRERY_DETAIL_CAT(a, b) ORRERY_DETAIL_CAT_(a, b)
