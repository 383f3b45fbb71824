#ifndef TUNDRA_CLIBXML2_SHIM_H
#define TUNDRA_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, so its headers pull in the system ICU's <unicode/ucnv.h>,
// whose UErrorCode clashes with the copy Foundation carries (_FoundationICU) in any Swift
// module that imports both. ICU only adds trailing fields to xmlCharEncodingHandler, which
// is never used from Swift, so the headers are read without it.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#endif
