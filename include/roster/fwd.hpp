// roster/fwd.hpp — forward declarations of roster's public class templates
// and the friendly aliases, for headers that only name the types.
//
// Include roster/registry.hpp (or roster/roster.hpp) to use them.
#pragma once

#include <string> // std::string: the key type of roster::registry

namespace roster {

template <class Key, class Value, class... Policies>
class basic_registry;

/// A registry keyed by std::string (see roster/registry.hpp).
template <class Value, class... Policies>
using registry = basic_registry<std::string, Value, Policies...>;

template <class Registry>
class basic_registration;
template <class Registry>
class basic_add_result;
class scoped_registration;

template <class T>
class result;
struct error_info;
enum class errc : int;
class error;

} // namespace roster
