// roster/error.hpp — error codes, the exception hierarchy, the result type,
// and the single point through which roster raises errors.
//
// Gives:
//   roster::errc                 stable numeric error codes (never renumbered);
//   roster::error                base exception (a std::runtime_error) with code();
//   roster::duplicate_key_error, null_value_error, invalid_key_error,
//   frozen_error, not_found_error, factory_error, no_common_version_error,
//   not_ready_error, batch_error, conflict_error one exception type per code;
//   roster::error_info           code + message, carried by the non-throwing paths;
//   roster::result<T>            value or error_info, returned by every try_ function;
//   roster::raise(error_info)    [[noreturn]]; throws the matching exception.
//
// Throw hook: every roster error is raised by roster::raise, which expands
// ROSTER_THROW(exception). By default that is `throw exception`; with
// exceptions disabled (-fno-exceptions or ROSTER_NO_EXCEPTIONS) it prints
// "roster: fatal error: <message>" to stderr and calls std::abort(). Define
// ROSTER_THROW(exception) yourself, before including any roster header, to
// log, translate or terminate differently; if your hook returns, roster
// calls std::abort() so that raise() really never returns.
//
// Guarantees: error_info and result are regular value types; result<T> never
// throws except from value() on an error, which raises that error.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/maybe.hpp" // detail::maybe: result's value

#include <cstdio>    // std::fputs, stderr: the no-exceptions fallback
#include <cstdlib>   // std::abort
#include <exception> // std::exception_ptr: a factory's own exception
#include <stdexcept> // std::runtime_error: base of roster::error
#include <string>    // std::string: messages
#include <utility>   // std::move

#if ROSTER_HAS_EXPECTED
#    include <expected> // std::expected: result<T>::to_expected()
#endif

ROSTER_BEGIN_NAMESPACE

/// Stable error codes. The numbers are part of the API: they are never reused
/// or renumbered, so they may be logged, stored or compared across versions.
enum class errc : int {
    duplicate_key = 1, ///< a key is already registered and the duplicate policy refuses another
    null_value = 2,    ///< a null value (null pointer, empty std::function, ...) was offered
    invalid_key = 3,   ///< a key was refused by roster::key_traits (e.g. an empty string)
    frozen = 4,        ///< a mutation was attempted after freeze()
    not_found = 5,     ///< a lookup or removal named a key that is not registered
    factory_failed = 6, ///< a factory threw or produced a null product (roster/factory.hpp)
    no_common_version = 7, ///< version negotiation found no version both sides support (roster/versioned.hpp)
    not_ready = 8,         ///< a staged registry was used before finalize() made it ready (roster/lifecycle.hpp)
    batch_refused = 9,     ///< a batch or a whole-set replacement was refused; the message lists every problem
    conflict = 10,         ///< an entry would claim what a registered one claims, neither taking precedence
                           ///< (roster/handler.hpp: two patterns that match one request)
    unavailable = 11,      ///< a remote source of truth could not be reached or did not answer in time
                           ///< (roster/etcd.hpp: every endpoint was tried)
    access_denied = 12     ///< a remote source of truth refused the credentials or the permission
                           ///< (roster/etcd.hpp: authentication failed; the credentials are never shown)
};

/// The code's name, e.g. "duplicate_key"; "unknown" for a value outside errc.
constexpr const char* to_string(errc code) noexcept {
    switch (code) {
    case errc::duplicate_key: return "duplicate_key";
    case errc::null_value: return "null_value";
    case errc::invalid_key: return "invalid_key";
    case errc::frozen: return "frozen";
    case errc::not_found: return "not_found";
    case errc::factory_failed: return "factory_failed";
    case errc::no_common_version: return "no_common_version";
    case errc::not_ready: return "not_ready";
    case errc::batch_refused: return "batch_refused";
    case errc::conflict: return "conflict";
    case errc::unavailable: return "unavailable";
    case errc::access_denied: return "access_denied";
    }
    return "unknown";
}

/// Base of every exception roster throws. what() is the full message, naming
/// the registry, the key and the source location(s).
class error : public std::runtime_error {
public:
    /// An error with `code` and `message` as what(). roster raises the
    /// derived type that matches the code (see raise()).
    error(errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
    /// The stable error code.
    errc code() const noexcept { return code_; }

private:
    errc code_;
};

/// A key was added twice and the registry's duplicate policy refuses it.
/// The message names both source locations.
class duplicate_key_error : public error {
public:
    /// An error with code errc::duplicate_key and `message` as what().
    explicit duplicate_key_error(const std::string& message) : error(errc::duplicate_key, message) {}
};

/// A null value was offered (see roster::null_traits).
class null_value_error : public error {
public:
    /// An error with code errc::null_value and `message` as what().
    explicit null_value_error(const std::string& message) : error(errc::null_value, message) {}
};

/// A key was refused by roster::key_traits<Key>::validate.
class invalid_key_error : public error {
public:
    /// An error with code errc::invalid_key and `message` as what().
    explicit invalid_key_error(const std::string& message) : error(errc::invalid_key, message) {}
};

/// A mutation was attempted on a frozen registry. The message names where
/// the registry was frozen.
class frozen_error : public error {
public:
    /// An error with code errc::frozen and `message` as what().
    explicit frozen_error(const std::string& message) : error(errc::frozen, message) {}
};

/// A key is not registered. The message lists the nearest registered names.
class not_found_error : public error {
public:
    /// An error with code errc::not_found and `message` as what().
    explicit not_found_error(const std::string& message) : error(errc::not_found, message) {}
};

/// A factory failed: it threw (try_create() keeps that exception as the
/// error's cause) or produced a null product.
class factory_error : public error {
public:
    /// An error with code errc::factory_failed and `message` as what().
    explicit factory_error(const std::string& message) : error(errc::factory_failed, message) {}
};

/// Version negotiation found no version both sides support; the message
/// lists both sides' versions.
class no_common_version_error : public error {
public:
    /// An error with code errc::no_common_version and `message` as what().
    explicit no_common_version_error(const std::string& message) : error(errc::no_common_version, message) {}
};

/// A staged registry (roster/lifecycle.hpp) was looked up, or waited for,
/// before finalize() made it ready — travetto's "has not been initialized".
/// The message says what was attempted, where, and how to fix it.
class not_ready_error : public error {
public:
    /// An error with code errc::not_ready and `message` as what().
    explicit not_ready_error(const std::string& message) : error(errc::not_ready, message) {}
};

/// A batch commit or a whole-set replacement was refused as a whole; nothing
/// was applied. The message lists every problem, one per line, each worded
/// as the single add would word it.
class batch_error : public error {
public:
    /// An error with code errc::batch_refused and `message` as what().
    explicit batch_error(const std::string& message) : error(errc::batch_refused, message) {}
};

/// An entry conflicts with a registered one: both would answer some lookup
/// and neither takes precedence (roster/handler.hpp: two patterns that match
/// one request, neither more specific). The message names both entries,
/// both source locations, and example lookups.
class conflict_error : public error {
public:
    /// An error with code errc::conflict and `message` as what().
    explicit conflict_error(const std::string& message) : error(errc::conflict, message) {}
};

/// A remote source of truth (roster/etcd.hpp) could not be reached: every
/// endpoint was tried, or none answered in time.
class unavailable_error : public error {
public:
    /// An error with code errc::unavailable and `message` as what().
    explicit unavailable_error(const std::string& message) : error(errc::unavailable, message) {}
};

/// A remote source of truth (roster/etcd.hpp) refused the credentials or a
/// permission. The message never contains the credentials.
class access_denied_error : public error {
public:
    /// An error with code errc::access_denied and `message` as what().
    explicit access_denied_error(const std::string& message) : error(errc::access_denied, message) {}
};

/// What went wrong, for the non-throwing paths: the code and the same
/// message the exception would carry.
struct error_info {
    /// The stable error code.
    errc code{};
    /// The full message: what the exception's what() would say.
    std::string message;
    /// The exception that caused the error, when one did (a factory's own
    /// exception); raise() rethrows it as it was.
    std::exception_ptr cause{};

    /// Equal when code, message and cause are all equal.
    friend bool operator==(const error_info&, const error_info&) = default;
};

namespace detail {

/// The no-exceptions fallback of ROSTER_THROW.
[[noreturn]] inline void abort_with_message(const char* message) noexcept {
    std::fputs("roster: fatal error: ", stderr);
    std::fputs(message, stderr);
    std::fputs("\n", stderr);
    std::fflush(stderr);
    std::abort();
}

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster

#ifndef ROSTER_THROW
#    if ROSTER_HAS_EXCEPTIONS
#        define ROSTER_THROW(exception) throw exception
#    else
#        define ROSTER_THROW(exception) ::roster::detail::abort_with_message((exception).what())
#    endif
#endif

ROSTER_BEGIN_NAMESPACE

namespace detail {
/// Raises `Exception(message)` through ROSTER_THROW; aborts if a
/// user-defined hook returns.
template <class Exception, class... Args>
[[noreturn]] void raise_as(const Args&... args) {
    ROSTER_THROW(Exception(args...));
    std::abort();
}
} // namespace detail

/// Raises `info` as the exception type matching its code, through
/// ROSTER_THROW. Every error roster raises passes through here. An error
/// with a cause rethrows that exception unchanged (with exceptions enabled).
[[noreturn]] inline void raise(const error_info& info) {
#if ROSTER_HAS_EXCEPTIONS
    if (info.cause) std::rethrow_exception(info.cause);
#endif
    switch (info.code) {
    case errc::duplicate_key: detail::raise_as<duplicate_key_error>(info.message);
    case errc::null_value: detail::raise_as<null_value_error>(info.message);
    case errc::invalid_key: detail::raise_as<invalid_key_error>(info.message);
    case errc::frozen: detail::raise_as<frozen_error>(info.message);
    case errc::not_found: detail::raise_as<not_found_error>(info.message);
    case errc::factory_failed: detail::raise_as<factory_error>(info.message);
    case errc::no_common_version: detail::raise_as<no_common_version_error>(info.message);
    case errc::not_ready: detail::raise_as<not_ready_error>(info.message);
    case errc::batch_refused: detail::raise_as<batch_error>(info.message);
    case errc::conflict: detail::raise_as<conflict_error>(info.message);
    case errc::unavailable: detail::raise_as<unavailable_error>(info.message);
    case errc::access_denied: detail::raise_as<access_denied_error>(info.message);
    }
    detail::raise_as<error>(info.code, info.message);
}

/// A value or the error that prevented it; the return type of every try_
/// function. Contextually converts to bool (true: has a value).
template <class T>
class [[nodiscard]] result {
public:
    /// The type of the value.
    using value_type = T;

    /// A successful result holding `success`.
    result(T success) : value_(std::move(success)) {}
    /// A failed result.
    result(error_info error) : error_(std::move(error)) {}

    /// Whether the result holds a value (false: it holds an error).
    bool has_value() const noexcept { return value_.has_value(); }
    /// has_value().
    explicit operator bool() const noexcept { return has_value(); }

    /// The value; raises the error (as its exception) if there is none.
    T& value() & { return checked(), *value_; }
    /// The value; raises the error (as its exception) if there is none.
    const T& value() const& { return checked(), *value_; }
    /// The value, moved out; raises the error (as its exception) if there is none.
    T&& value() && { return checked(), std::move(*value_); }

    /// The value, unchecked. @warning undefined if !has_value().
    T& operator*() & noexcept { return *value_; }
    /// The value, unchecked. @warning undefined if !has_value().
    const T& operator*() const& noexcept { return *value_; }
    /// The value's members, unchecked. @warning undefined if !has_value().
    T* operator->() noexcept { return &*value_; }
    /// The value's members, unchecked. @warning undefined if !has_value().
    const T* operator->() const noexcept { return &*value_; }

    /// A copy of the value, or `fallback` (converted to T) on error.
    template <class U>
    T value_or(U&& fallback) const& { return value_ ? *value_ : static_cast<T>(std::forward<U>(fallback)); }
    /// The value moved out, or `fallback` (converted to T) on error.
    template <class U>
    T value_or(U&& fallback) && {
        return value_ ? std::move(*value_) : static_cast<T>(std::forward<U>(fallback));
    }

    /// The error. @warning meaningful only if !has_value() (else code is 0, message empty).
    const error_info& error() const noexcept { return error_; }

#if ROSTER_HAS_EXPECTED
    /// C++23: the same outcome as a std::expected.
    std::expected<T, error_info> to_expected() && {
        if (value_) return std::move(*value_);
        return std::unexpected(std::move(error_));
    }
#endif

private:
    void checked() const {
        if (!value_) raise(error_);
    }

    detail::maybe<T> value_;
    error_info error_;
};

/// A success-or-error with no value, e.g. from try_freeze-like operations.
template <>
class [[nodiscard]] result<void> {
public:
    /// No value: void.
    using value_type = void;

    /// A success.
    result() = default;
    /// A failure with `error`.
    result(error_info error) : error_(std::move(error)), failed_(true) {}

    /// Whether it is a success.
    bool has_value() const noexcept { return !failed_; }
    /// has_value().
    explicit operator bool() const noexcept { return has_value(); }
    /// Raises the error if there is one.
    void value() const {
        if (failed_) raise(error_);
    }
    /// The error. @warning meaningful only if !has_value() (else code is 0, message empty).
    const error_info& error() const noexcept { return error_; }

#if ROSTER_HAS_EXPECTED
    /// C++23: the same outcome as a std::expected<void, error_info>.
    std::expected<void, error_info> to_expected() && {
        if (!failed_) return {};
        return std::unexpected(std::move(error_));
    }
#endif

private:
    error_info error_;
    bool failed_ = false;
};

ROSTER_END_NAMESPACE // namespace roster
