#ifndef TUNDRA_CLIBXML2_SHIM_H
#define TUNDRA_CLIBXML2_SHIM_H
#include <libxml/parser.h>
#include <libxml/tree.h>
#endif
