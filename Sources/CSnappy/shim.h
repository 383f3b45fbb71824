#ifndef TUNDRA_CSNAPPY_SHIM_H
#define TUNDRA_CSNAPPY_SHIM_H
// Snappy's C API (libsnappy-dev). Only TundraIngest/RemoteWrite/Snappy.swift imports it.
#include <snappy-c.h>
#endif
