// expect: listing::listed needs #include <roster/catalog.hpp>
//
// listing::unlisted compiles no catalog code; listing::listed names the
// header that holds the catalog.

#include "roster/registry.hpp"

void list_without_the_catalog_header() {
    roster::registry<int, roster::listing::listed> numbers{"numbers"};
    (void)numbers.get("one");
}
