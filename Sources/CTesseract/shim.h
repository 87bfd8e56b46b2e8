#include <tesseract/capi.h>
/* The few leptonica calls qsentry-ocr makes (allheaders.h declares thousands). */
#include <stddef.h>
#include <stdint.h>
struct Pix;
extern struct Pix *pixReadMem(const uint8_t *data, size_t size);
extern int pixReadHeaderMem(const uint8_t *data, size_t size, int32_t *pformat, int32_t *pw, int32_t *ph,
                            int32_t *pbps, int32_t *pspp, int32_t *piscmap);
extern void pixDestroy(struct Pix **ppix);
extern int32_t setMsgSeverity(int32_t newsev);
