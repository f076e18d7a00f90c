// roster/detail/maybe.hpp — a value or nothing, for roster's own internal
// use: result<T>'s storage and the optional values that never leave a
// header. Internal.
//
// Why not std::optional: every distinct std::optional<T> a header names
// outside a template costs each translation unit that includes it the
// instantiation of the whole class (its constrained constructors,
// assignments, comparisons and monadic members): about 11 million compiler
// instructions with g++ 12, against about 0.3 million for this class. The
// public API keeps std::optional (reports, get(), location()); what users
// never see uses detail::maybe.
//
// Guarantees: holds at most one T, constructed in place and destroyed when
// reset or destroyed. Copyable when T is copy-constructible, movable when T
// is move-constructible (a moved-from maybe keeps its moved-from value, as
// std::optional does). Assigning one that holds a value to one that holds a
// value assigns the T (T's own guarantee applies) when T is assignable, and
// otherwise destroys the old value and constructs the new one (if that
// throws, this holds nothing). Never allocates.
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#include <new>         // placement new
#include <type_traits> // std::is_*_v
#include <utility>     // std::forward, std::move

ROSTER_BEGIN_NAMESPACE
namespace detail {

/// A T or nothing. `T` is an object type (not a reference, not const).
template <class T>
class maybe {
public:
    /// Holds nothing.
    maybe() noexcept {}
    /// Holds `value`.
    maybe(const T& value) requires std::is_copy_constructible_v<T> { construct(value); }
    /// Holds `value`, moved.
    maybe(T&& value) noexcept(std::is_nothrow_move_constructible_v<T>) { construct(std::move(value)); }

    /// A copy of `other` (nothing if it holds nothing).
    maybe(const maybe& other) requires std::is_copy_constructible_v<T> {
        if (other.full_) construct(other.slot_.value);
    }
    /// `other`'s value moved (nothing if it holds nothing).
    maybe(maybe&& other) noexcept(std::is_nothrow_move_constructible_v<T>) requires std::is_move_constructible_v<T> {
        if (other.full_) construct(std::move(other.slot_.value));
    }
    /// Replaces the value with a copy of `other`'s (see the guarantees above).
    maybe& operator=(const maybe& other) requires std::is_copy_constructible_v<T> {
        if (this == &other) return *this;
        if (other.full_) assign(other.slot_.value);
        else reset();
        return *this;
    }
    /// Replaces the value with `other`'s, moved (see the guarantees above).
    maybe& operator=(maybe&& other) noexcept(std::is_nothrow_move_constructible_v<T> &&
                                             (!std::is_move_assignable_v<T> || std::is_nothrow_move_assignable_v<T>))
        requires std::is_move_constructible_v<T> {
        if (this == &other) return *this;
        if (other.full_) assign(std::move(other.slot_.value));
        else reset();
        return *this;
    }
    ~maybe() { reset(); }

    /// Destroys the value held, if any, and holds one made from `args`.
    /// If making it throws, this holds nothing.
    template <class... Args>
    T& emplace(Args&&... args) {
        reset();
        construct(std::forward<Args>(args)...);
        return slot_.value;
    }
    /// Destroys the value held, if any.
    void reset() noexcept {
        if (full_) {
            full_ = false;
            slot_.value.~T();
        }
    }

    /// Whether it holds a value.
    bool has_value() const noexcept { return full_; }
    /// has_value().
    explicit operator bool() const noexcept { return full_; }

    /// The value. Precondition: has_value().
    T& operator*() & noexcept { return slot_.value; }
    /// The value. Precondition: has_value().
    const T& operator*() const& noexcept { return slot_.value; }
    /// The value, as an rvalue. Precondition: has_value().
    T&& operator*() && noexcept { return std::move(slot_.value); }
    /// The value's members. Precondition: has_value().
    T* operator->() noexcept { return address(); }
    /// The value's members. Precondition: has_value().
    const T* operator->() const noexcept { return reinterpret_cast<const T*>(&slot_); }

private:
    // The value's address without T's operator& (a union and its member
    // share one address) and without <memory>, which std::addressof needs.
    T* address() noexcept { return reinterpret_cast<T*>(&slot_); }

    // Holds `source`: assigned over the value held when T allows it, else
    // constructed in place (after destroying the value held, if any).
    template <class Source>
    void assign(Source&& source) {
        if constexpr (std::is_assignable_v<T&, Source&&>) {
            if (full_) {
                slot_.value = std::forward<Source>(source);
                return;
            }
        }
        reset();
        construct(std::forward<Source>(source));
    }

    template <class... Args>
    void construct(Args&&... args) {
        ::new (static_cast<void*>(&slot_)) T(std::forward<Args>(args)...);
        full_ = true;
    }

    union storage {
        storage() noexcept {}
        ~storage() {}
        T value;
    } slot_;
    bool full_ = false;
};

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
