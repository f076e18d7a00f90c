// roster/roster.hpp — the umbrella header: includes every public roster header.
//
// Prefer the specific header in code you compile often (roster/registry.hpp
// for the core registry); include this one for convenience.
#pragma once

#include "roster/catalog.hpp"
#include "roster/config.hpp"
#include "roster/counters.hpp"
#include "roster/error.hpp"
#include "roster/events.hpp"
#include "roster/factory.hpp"
#include "roster/fwd.hpp"
#include "roster/handler.hpp"
#include "roster/hierarchical.hpp"
#include "roster/hot_reload.hpp"
#include "roster/html.hpp"
#include "roster/lifecycle.hpp"
#include "roster/ordered.hpp"
#include "roster/policies.hpp"
#include "roster/prometheus.hpp"
#include "roster/registry.hpp"
#include "roster/report.hpp"
#include "roster/scoped.hpp"
#include "roster/sniffing.hpp"
#include "roster/source_location.hpp"
#include "roster/static_registration.hpp"
#include "roster/tagged.hpp"
#include "roster/traits.hpp"
#include "roster/versioned.hpp"
#include "roster/version.hpp"
