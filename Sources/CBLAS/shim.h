// OpenBLAS's CBLAS interface plus its runtime queries (openblas_get_corename, ...).
// Debian installs cblas.h under the multiarch include directory, which is on the default path.
#include <cblas.h>
