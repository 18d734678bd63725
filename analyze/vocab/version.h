/* version.h — attrib's version, recorded in every source and custody row. */
#ifndef ATTRIB_VERSION_H
#define ATTRIB_VERSION_H
#define ATTRIB_VERSION "0.1.0"
#endif
