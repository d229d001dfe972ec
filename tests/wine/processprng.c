/*
 * Test-only shim, never shipped: Rust's standard library on Windows draws random numbers
 * with ProcessPrng from bcryptprimitives.dll (present on every Windows 10 and 11). Wine
 * 8.0, as packaged by Debian 12, lacks that export, so a Rust program would not start
 * under it. This DLL provides ProcessPrng over advapi32's RtlGenRandom
 * (SystemFunction036). tests/support/wine.rs builds it with mingw and loads it beside
 * onshi.exe (WINEDLLOVERRIDES=bcryptprimitives=n).
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
