#pragma once
// Configuring and running one step: its parameters, built-in settings and
// reference overrides (StepConfig), and the runner every pipeline uses, static
// or dynamic, so both behave the same: skip, hooks, observers, status
// recording, save_results.

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/hooks.hpp"
#include "orrery/core/output_naming.hpp"
#include "orrery/core/param_tree.hpp"
#include "orrery/core/params.hpp"
#include "orrery/core/product.hpp"
#include "orrery/core/step_settings.hpp"
#include "orrery/core/step_traits.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <utility>

namespace orrery {

template <Step S>
struct StepConfig {
    using step_type_tag = S;
    typename S::Params params{};
    StepSettings settings{};
    ReferenceOverrides overrides;
    ParamNode explicit_values = ParamNode::map();  // every value set by configure(), with its source

    StepConfig() { settings.skip = step_traits<S>::default_skip; }
};

/// Keys that identify rather than configure a step in parameter files.
inline bool is_identity_key(std::string_view k) { return k == "name" || k == "class" || k == "config_file"; }

/// Apply a tree {param: value, ...} to a step config. `prefix` is how keys are
/// shown in errors ("steps.jump."). Unknown keys are errors naming key and source.
template <Step S>
void configure_step(StepConfig<S>& cfg, const ParamNode& tree, const std::string& prefix = {}) {
    using T = step_traits<S>;
    if (tree.is_null()) return;
    if (!tree.is_map())
        throw ParameterError(prefix.empty() ? std::string(T::name) : prefix.substr(0, prefix.size() - 1), tree.source(),
                             "expected a mapping of parameters");
    for (const auto& [key, value] : tree.children()) {
        const std::string shown = prefix + key;
        if (is_identity_key(key)) continue;
        if (set_param(cfg.params, key, value, shown) || set_param(cfg.settings, key, value, shown)) {
            cfg.explicit_values.set(key, value);
            continue;
        }
        if (key.rfind("override_", 0) == 0) {
            const std::string reftype = key.substr(9);
            const auto refs = T::reference_types();
            if (std::find(refs.begin(), refs.end(), reftype) != refs.end()) {
                auto v = from_node<std::optional<std::string>>(value, shown);
                if (v && !v->empty()) cfg.overrides[reftype] = *v;
                else cfg.overrides.erase(reftype);
                cfg.explicit_values.set(key, value);
                continue;
            }
        }
        if (key == "steps")
            throw ParameterError(shown, value.source(), "step '" + std::string(T::name) + "' is not a pipeline and has no child steps");
        throw ParameterError(shown, value.source(), "unknown parameter for step '" + std::string(T::name) + "' (see 'orrery describe " +
                                                        std::string(T::name) + "')");
    }
}

/// Every parameter's current value: own, built-in, override_<reftype>.
template <Step S>
ParamNode step_parameters(const StepConfig<S>& cfg) {
    ParamNode out = params_to_node(cfg.params);
    const ParamNode builtins = params_to_node(cfg.settings);
    for (const auto& [k, v] : builtins.children()) out.set(k, v);
    for (auto r : step_traits<S>::reference_types()) {
        auto it = cfg.overrides.find(std::string(r));
        out.set("override_" + std::string(r), it == cfg.overrides.end() ? ParamNode::null() : to_node(it->second));
    }
    return out;
}

/// stpipe's standalone suffix: the class name lower-cased ("DarkCurrentStep" -> "darkcurrentstep").
inline std::string standalone_suffix(std::string_view class_name) {
    auto dot = class_name.rfind('.');
    std::string s(dot == std::string_view::npos ? class_name : class_name.substr(dot + 1));
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Output namer for a step's products, honouring inherited output_dir/output_file.
template <class T>
OutputNamer step_output_namer(const StepSettings& s, const Context& ctx, const T& value, const std::string& alias) {
    std::string input = ctx.input_filename;
    if (s.output_use_model || input.empty()) {
        if (auto f = product_traits<T>::filename(value); !f.empty()) input = f;
    }
    std::string output_file = s.output_file.value_or(s.search_output_file ? ctx.output_file : std::string{});
    std::string output_dir = s.output_dir.value_or(ctx.output_dir);
    return make_output_namer(output_file, input, output_dir, s.output_ext, alias);
}

namespace detail {
inline std::string with_step_prefix(std::string_view alias, const char* what) {
    const std::string prefix = "step '" + std::string(alias) + "'";
    std::string msg = what;
    if (msg.rfind(prefix, 0) == 0) return msg;
    return prefix + ": " + msg;
}

/// Restores the enclosing step scope when a nested run ends, however it ends.
class ScopeGuard {
public:
    ScopeGuard(Context& ctx, StepScope scope) : ctx_(ctx), previous_(ctx.enter_step(std::move(scope))) {}
    ~ScopeGuard() { ctx_.leave_step(std::move(previous_)); }
    ScopeGuard(const ScopeGuard&) = delete;
    ScopeGuard& operator=(const ScopeGuard&) = delete;

private:
    Context& ctx_;
    StepScope previous_;
};
}  // namespace detail

/// Run one configured step on its input.
template <Step S>
step_output_t<S> run_step(const StepConfig<S>& cfg, step_input_t<S> input, Context& ctx) {
    using T = step_traits<S>;
    using In = step_input_t<S>;
    using Out = step_output_t<S>;
    const std::string alias(T::name);

    detail::ScopeGuard guard(ctx, StepScope{alias, std::string(T::class_name), cfg.overrides, StepStatus::not_set, {}, {}});
    StepEvent event;
    event.alias = alias;
    event.class_name = std::string(T::class_name);
    event.pipeline = ctx.pipeline_name;
    event.index = ctx.step_index;
    event.total = ctx.step_total;
    event.started = std::chrono::steady_clock::now();
    event.wall_start = std::chrono::system_clock::now();
    if (ctx.has_observers()) event.parameters = cfg.explicit_values.to_string();
    auto finish = [&](StepEvent::Kind kind, StepStatus status, std::string message) {
        event.kind = kind;
        event.status = status;
        event.message = std::move(message);
        event.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - event.started).count();
        event.references = ctx.step().references;
        ctx.notify(event);
    };
    auto record = [&](auto& value, StepStatus status) {
        using V = std::remove_cvref_t<decltype(value)>;
        if constexpr (!T::status_key.empty()) product_traits<V>::record_status(value, T::status_key, status);
        for (const auto& ref : ctx.step().references) {
            auto eq = ref.find('=');
            product_traits<V>::record_reference(value, ref.substr(0, eq), ref.substr(eq + 1));
        }
    };

    if (cfg.settings.skip) {
        if constexpr (T::skippable) {
            ctx.notify(event);
            ctx.info("Step " + alias + " skipped.");
            run_hooks(cfg.settings.pre_hooks, input, ctx, alias, "pre");
            record(input, StepStatus::skipped);
            run_hooks(cfg.settings.post_hooks, input, ctx, alias, "post");
            finish(StepEvent::Kind::skip, StepStatus::skipped, "skip=True");
            return input;
        } else {
            throw ConfigError("step '" + alias + "' cannot be skipped: it turns " + type_name<In>() + " into " + type_name<Out>());
        }
    }

    ctx.notify(event);
    ctx.info("Step " + alias + " running with args (" + cfg.explicit_values.to_string() + ").");
    try {
        ctx.throw_if_cancelled();
        run_hooks(cfg.settings.pre_hooks, input, ctx, alias, "pre");
        Out out = S::process(std::move(input), cfg.params, ctx);
        const StepStatus status = ctx.step().status == StepStatus::not_set ? StepStatus::complete : ctx.step().status;
        record(out, status);
        run_hooks(cfg.settings.post_hooks, out, ctx, alias, "post");
        if (cfg.settings.save_results && status != StepStatus::skipped) {
            if constexpr (product_traits<Out>::saveable) {
                const std::string suffix =
                    cfg.settings.suffix.value_or(ctx.pipeline_name.empty() ? standalone_suffix(T::class_name) : alias);
                for (const auto& p : product_traits<Out>::save(out, step_output_namer(cfg.settings, ctx, out, alias), suffix)) {
                    event.outputs.push_back(p.string());
                    ctx.info("Saved model in " + p.string());
                }
            } else {
                throw ConfigError("step '" + alias + "': save_results is set but " + type_name<Out>() + " cannot be saved");
            }
        }
        ctx.info("Step " + alias + " done");
        finish(status == StepStatus::skipped ? StepEvent::Kind::skip : StepEvent::Kind::finish, status, ctx.step().reason);
        return out;
    } catch (const Error& e) {
        finish(StepEvent::Kind::error, StepStatus::failed, e.what());
        throw Error(e.category(), detail::with_step_prefix(alias, e.what()), e.cause());
    } catch (const std::exception& e) {
        finish(StepEvent::Kind::error, StepStatus::failed, e.what());
        throw StepError(detail::with_step_prefix(alias, e.what()));
    }
}

}  // namespace orrery
