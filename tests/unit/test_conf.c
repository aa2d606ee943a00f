#include "config.h"
#include "unit.h"
CU_TestInfo conf_tests[] = { CU_TEST_INFO_NULL };
