#pragma once
// AnyValue: a move-only, type-erased box for the data flowing through a dynamic
// pipeline. Unlike std::any it never copies implicitly: values are moved in and
// out; clone() copies on request (a graph stage's output read by several stages).

#include "orrery/core/errors.hpp"

#include <cxxabi.h>
#include <cstdlib>
#include <memory>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <utility>

namespace orrery {

/// Readable C++ type name ("orrery::jwst::RampModel").
inline std::string type_name(const std::type_info& t) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> p(abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
    return status == 0 && p ? std::string(p.get()) : std::string(t.name());
}
template <class T>
std::string type_name() {
    return type_name(typeid(T));
}

class AnyValue {
public:
    AnyValue() = default;
    template <class T, class D = std::decay_t<T>>
        requires(!std::is_same_v<D, AnyValue>)
    explicit AnyValue(T&& value) : holder_(std::make_unique<Holder<D>>(std::forward<T>(value))) {}

    [[nodiscard]] bool has_value() const { return holder_ != nullptr; }
    [[nodiscard]] std::type_index type() const { return holder_ ? holder_->type() : std::type_index(typeid(void)); }
    template <class T>
    [[nodiscard]] bool holds() const {
        return holder_ && holder_->type() == std::type_index(typeid(T));
    }
    template <class T>
    T* get() {
        return holds<T>() ? &static_cast<Holder<T>*>(holder_.get())->value : nullptr;
    }
    template <class T>
    const T* get() const {
        return holds<T>() ? &static_cast<const Holder<T>*>(holder_.get())->value : nullptr;
    }
    /// Move the value out (the box becomes empty); throws on a type mismatch.
    template <class T>
    T take() {
        if (!holds<T>())
            throw InternalError("AnyValue holds " + (holder_ ? type_name(holder_->type_info()) : std::string("nothing")) +
                                ", not " + type_name<T>());
        T out = std::move(static_cast<Holder<T>*>(holder_.get())->value);
        holder_.reset();
        return out;
    }

    /// A copy of the value; InternalError naming the type if it cannot be copied.
    [[nodiscard]] AnyValue clone() const {
        AnyValue out;
        if (holder_) out.holder_ = holder_->clone();
        return out;
    }
    [[nodiscard]] std::string type_text() const { return holder_ ? type_name(holder_->type_info()) : std::string("nothing"); }

private:
    struct Base {
        virtual ~Base() = default;
        [[nodiscard]] virtual std::type_index type() const = 0;
        [[nodiscard]] virtual const std::type_info& type_info() const = 0;
        [[nodiscard]] virtual std::unique_ptr<Base> clone() const = 0;
    };
    template <class T>
    struct Holder final : Base {
        template <class U>
        explicit Holder(U&& v) : value(std::forward<U>(v)) {}
        [[nodiscard]] std::type_index type() const override { return typeid(T); }
        [[nodiscard]] const std::type_info& type_info() const override { return typeid(T); }
        [[nodiscard]] std::unique_ptr<Base> clone() const override {
            if constexpr (std::is_copy_constructible_v<T>) return std::make_unique<Holder<T>>(value);
            else throw InternalError("a value of type " + type_name<T>() + " cannot be copied (it is move-only)");
        }
        T value;
    };
    std::unique_ptr<Base> holder_;
};

}  // namespace orrery
