/* jsonmine_stub.h - stand-in for dissectors/jsonmine.c until the jsonmine branch lands.
 *
 * Include from exactly one translation unit of a test or fuzz executable. It recognises
 * only the literal shapes our HTTP/WebSocket tests send (substring matches, test use
 * only); the real classifier is structural. Remove once jsonmine.c is merged.
 */
#ifndef MW_TEST_JSONMINE_STUB_H
#define MW_TEST_JSONMINE_STUB_H

#include <string.h>

#include "dissectors/jsonmine.h"

static int stub_has(const uint8_t *j, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(j + i, needle, k) == 0)
            return 1;
    return 0;
}

static void stub_set(struct jsonmine_msg *out, enum mw_variant v, uint8_t side, enum jsonmine_role role,
                     int kind, const char *method)
{
    out->variant = v;
    out->side = side;
    out->role = role;
    out->kind = kind;
    strncpy(out->method, method, sizeof out->method - 1);
}

enum jsonmine_status jsonmine_classify(const uint8_t *j, size_t n, struct jsonmine_msg *out)
{
    memset(out, 0, sizeof *out);
    out->result_bool = -1;
    if (n == 0 || (j[0] != '{' && j[0] != ' '))
        return JM_NOT_JSON;
    if (stub_has(j, n, "\"method\": \"getwork\"") || stub_has(j, n, "\"method\":\"getwork\""))
        stub_set(out, MW_VAR_GETWORK, MW_SIDE_CLIENT, JM_REQUEST,
                 stub_has(j, n, "\"params\": []") ? JM_K_GETWORK : JM_K_SUBMIT, "getwork");
    else if (stub_has(j, n, "\"getblocktemplate\"") && stub_has(j, n, "capabilities"))
        stub_set(out, MW_VAR_GBT, MW_SIDE_CLIENT, JM_REQUEST, JM_K_GBT, "getblocktemplate");
    else if (stub_has(j, n, "\"eth_submitLogin\""))
        stub_set(out, MW_VAR_ETHPROXY, MW_SIDE_CLIENT, JM_REQUEST, JM_K_SUBMITLOGIN, "eth_submitLogin");
    else if (stub_has(j, n, "\"eth_getWork\""))
        stub_set(out, MW_VAR_ETHPROXY, MW_SIDE_CLIENT, JM_REQUEST, JM_K_GETWORK, "eth_getWork");
    else if (stub_has(j, n, "\"mining.subscribe\""))
        stub_set(out, MW_VAR_STRATUM1, MW_SIDE_CLIENT, JM_REQUEST, JM_K_SUBSCRIBE, "mining.subscribe");
    else if (stub_has(j, n, "\"type\":\"auth\"") && stub_has(j, n, "site_key")) {
        stub_set(out, MW_VAR_WEBMINER, MW_SIDE_CLIENT, JM_NOTIFY, JM_K_WEBMINER_AUTH, "auth");
        strcpy(out->worker, "SITEKEY123");
    } else if (stub_has(j, n, "\"type\":\"job\"") && stub_has(j, n, "blob"))
        stub_set(out, MW_VAR_WEBMINER, MW_SIDE_SERVER, JM_NOTIFY, JM_K_JOB, "job");
    else if (stub_has(j, n, "\"type\":\"submit\"") && stub_has(j, n, "nonce"))
        stub_set(out, MW_VAR_WEBMINER, MW_SIDE_CLIENT, JM_NOTIFY, JM_K_SUBMIT, "submit");
    else if (stub_has(j, n, "\"midstate\"") && stub_has(j, n, "\"result\""))
        stub_set(out, MW_VAR_GETWORK, MW_SIDE_SERVER, JM_RESPONSE, JM_K_WORK_RESULT, "");
    else if (stub_has(j, n, "\"result\""))
        stub_set(out, MW_VAR_NONE, 0, JM_RESPONSE, JM_K_RESULT, "");
    return JM_OK;
}

void jsonmine_classify_response(const uint8_t *j, size_t n, int request_kind, struct jsonmine_msg *out)
{
    jsonmine_classify(j, n, out);
    if (request_kind == JM_K_SUBMITLOGIN && out->role == JM_RESPONSE) {
        out->variant = MW_VAR_ETHPROXY;
        out->kind = JM_K_AUTH_RESULT;
        out->result_bool = stub_has(j, n, "true");
    }
    if (request_kind == JM_K_GBT && stub_has(j, n, "previousblockhash")) {
        out->variant = MW_VAR_GBT;
        out->kind = JM_K_TEMPLATE_RESULT;
    }
}

const char *jsonmine_kind_name(int kind)
{
    return kind == JM_K_NONE ? "none" : "kind";
}

#endif
