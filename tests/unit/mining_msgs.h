/* mining_msgs.h - mining-protocol messages for the tests, written from the specs and
 * the miners' documentation (docs/protocols.md lists the sources). Shared by
 * test_jsonmine.c and test_stratum.c. */
#ifndef MW_TEST_MINING_MSGS_H
#define MW_TEST_MINING_MSGS_H

#define H64A "4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000"
#define H64B "abad8f99f3918bf903c6a909d9bbc0fdfa5a2f4b9cb1196175ec825c6610126c"
#define H64C "645cf20198c2f3861e947d4f67e3ab63b7b2e24dcc9095bd9123e7b33371f6cc"
#define H32 H64A H64B
#define XMR_WALLET "48edfHu7V9Z84YzzMa6fUueoELZ9ZRXq9VetWzYGzKt52XU5xvqgzYnDK9URnRoJMk1j8nLwEVsaSWJ4fhdUyZijBGUicoD"
#define CN_BLOB "0707d5efb9d6057e95a35f868231780b3a8649c4e57f3c77eaf437329243eef0b9f4b6987d05b900000000cae7754cb85a0ad8eebf3e0bf55f3ec5e754a1d6b05d46e5c358f907dbcbb72b01"
#define ETH_ADDR "0xb85150eb365e7df0941f0cf08235f987ba91506a"

/* --- stratum1: Bitcoin wiki "Stratum mining protocol", BIP 310, cgminer/bfgminer --- */
#define S1_SUBSCRIBE "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}"
#define S1_SUBSCRIBE_RESULT                                                                                     \
    "{\"id\": 1, \"result\": [ [ [\"mining.set_difficulty\", \"b4b6693b72a50c7116db18d6497cac52\"], "          \
    "[\"mining.notify\", \"ae6812eb4cd7735a302a8a9dd95cf71f\"]], \"08000002\", 4], \"error\": null}"
#define S1_AUTHORIZE "{\"params\": [\"slush.miner1\", \"password\"], \"id\": 2, \"method\": \"mining.authorize\"}"
#define S1_AUTH_OK "{\"error\": null, \"id\": 2, \"result\": true}"
#define S1_SET_DIFF "{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[16384]}"
#define S1_NOTIFY                                                                                               \
    "{\"params\": [\"bf\", \"" H64A "\", \"01000000010000000000000000000000000000000000000000000000000000000000" \
    "000000ffffffff20020862062f503253482f04b8864e5008\", \"072f736c7573682f000000000100f2052a010000001976a914" \
    "d23fcdf86f7e756a64a7a9688ef9903327048ed988ac00000000\", [\"" H64B "\", \"" H64C "\"], \"00000002\", "     \
    "\"1c2ac4af\", \"504e86b9\", false], \"id\": null, \"method\": \"mining.notify\"}"
#define S1_SUBMIT                                                                                               \
    "{\"params\": [\"slush.miner1\", \"bf\", \"00000001\", \"504e86ed\", \"b2957c02\"], \"id\": 4, "          \
    "\"method\": \"mining.submit\"}"
#define S1_SUBMIT_VR                                                                                            \
    "{\"id\":5,\"method\":\"mining.submit\",\"params\":[\"slush.miner1\",\"bf\",\"00000002\",\"504e86ed\","    \
    "\"b2957c03\",\"1fffe000\"]}"
#define S1_SHARE_OK "{\"id\": 4, \"result\": true, \"error\": null}"
#define S1_SHARE_BAD "{\"id\":5,\"result\":null,\"error\":[23,\"Low difficulty share\",null]}"
#define S1_CONFIGURE                                                                                            \
    "{\"method\":\"mining.configure\",\"id\":1,\"params\":[[\"minimum-difficulty\",\"version-rolling\"],"       \
    "{\"minimum-difficulty.value\":2048,\"version-rolling.mask\":\"00fff000\","                                \
    "\"version-rolling.min-bit-count\":2}]}"
#define S1_SUGGEST "{\"id\":3,\"method\":\"mining.suggest_difficulty\",\"params\":[512]}"
#define S1_XN_SUB "{\"id\":3,\"method\":\"mining.extranonce.subscribe\",\"params\":[]}"
#define S1_GET_TXS "{\"id\":6,\"method\":\"mining.get_transactions\",\"params\":[\"bf\"]}"
#define S1_SET_XN "{\"id\":null,\"method\":\"mining.set_extranonce\",\"params\":[\"08000003\",4]}"
#define S1_SET_VMASK "{\"id\":null,\"method\":\"mining.set_version_mask\",\"params\":[\"1fffe000\"]}"
#define S1_SET_TARGET                                                                                           \
    "{\"id\":null,\"method\":\"mining.set_target\",\"params\":[\"00000000ffff00000000000000000000000000000000" \
    "00000000000000000000\"]}"
#define S1_RECONNECT "{\"id\":null,\"method\":\"client.reconnect\",\"params\":[\"stratum.example.org\",3333,0]}"
/* ZIP 301 (Equihash): subscribe [agent, session, host, port]; notify with 8 params */
#define ZEC_SUBSCRIBE                                                                                           \
    "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"nheqminer/0.5c\",null,\"zec.pool.example\",\"3357\"]}"
#define ZEC_SUBSCRIBE_RESULT "{\"id\":1,\"result\":[\"a3c2f0e1\",\"8000\"],\"error\":null}"
#define ZEC_NOTIFY                                                                                              \
    "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"1\",\"04000000\",\"" H64A "\",\"" H64B "\",\""    \
    H64C "\",\"5c5d8e4a\",\"1d00ffff\",true]}"
/* KawPow (Ravencoin pools): job, header, seed, target, clean, height, bits */
#define RVN_NOTIFY                                                                                              \
    "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"1a2b\",\"" H64B "\",\"" H64C "\",\"00000000ff00" \
    "0000000000000000000000000000000000000000000000000000\",true,2345678,\"1b00f5b2\"]}"
#define RVN_SUBMIT                                                                                              \
    "{\"id\":7,\"method\":\"mining.submit\",\"params\":[\"RWorker.rig\",\"1a2b\",\"0x00000000b2a9c8d1\","     \
    "\"0x" H64B "\",\"0x" H64C "\"]}"
/* kHeavyHash (Kaspa stratum bridges) */
#define KAS_NOTIFY                                                                                              \
    "{\"id\":null,\"jsonrpc\":\"2.0\",\"method\":\"mining.notify\",\"params\":[\"7b\",[11111111111,"           \
    "2222222222,3333333,44444444],1699999999999]}"
#define KAS_SUBMIT "{\"id\":8,\"method\":\"mining.submit\",\"params\":[\"kaspa:qr0abc.rig\",\"7b\",\"0x9a3f00001c2d\"]}"

/* --- ethstratum: NiceHash EthereumStratum/1.0.0 --- */
#define ES_SUBSCRIBE                                                                                            \
    "{  \"id\": 1,   \"method\": \"mining.subscribe\",   \"params\": [     \"EthereumMiner/1.0.0\", "     \
    "\"EthereumStratum/1.0.0\"   ]}"
#define ES_SUBSCRIBE_RESULT                                                                                     \
    "{\"id\": 1, \"result\": [[\"mining.notify\", \"ae6812eb4cd7735a302a8a9dd95cf71f\", "                     \
    "\"EthereumStratum/1.0.0\"], \"a2eea0\"], \"error\": null}"
#define ES_AUTHORIZE "{\"id\": 2, \"method\": \"mining.authorize\", \"params\": [\"" ETH_ADDR ".rig1\", \"x\"]}"
#define ES_SET_DIFF "{ \"id\": null, \"method\": \"mining.set_difficulty\", \"params\": [0.5]}"
#define ES_NOTIFY                                                                                               \
    "{\"id\": null, \"method\": \"mining.notify\", \"params\": [\"bf0488aa\", \"" H64B "\", \"" H64C "\", true]}"
#define ES_SUBMIT "{\"id\": 244, \"method\": \"mining.submit\", \"params\": [\"username\", \"bf0488aa\", \"6a909d9bbc0f\"]}"
#define ES_SHARE_BAD "{\"id\": 244, \"result\": false, \"error\": [-1, \"Job not found\", null]}"
#define ES_SHARE_OK "{\"id\": 244, \"result\": true, \"error\": null}"

/* --- ethproxy: open-ethereum-pool docs/STRATUM.md, ethminer/Claymore --- */
#define EP_LOGIN                                                                                                \
    "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"eth_submitLogin\",\"params\":[\"" ETH_ADDR "\",\"x\"],"         \
    "\"worker\":\"rig1\"}"
#define EP_LOGIN_OK "{ \"id\": 1, \"jsonrpc\": \"2.0\", \"result\": true }"
#define EP_GETWORK "{\"id\":5,\"jsonrpc\":\"2.0\",\"method\":\"eth_getWork\",\"params\":[]}"
#define EP_GETWORK_NOPARAMS "{ \"id\": 1, \"jsonrpc\": \"2.0\", \"method\": \"eth_getWork\" }"
#define EP_WORK_TARGET "0x0000000112e0be826d694b2e62d01511f12a6061fbaec8bc02357593e70e52ba"
#define EP_WORK "{\"id\":0,\"jsonrpc\":\"2.0\",\"result\":[\"0x" H64B "\",\"0x" H64C "\",\"" EP_WORK_TARGET "\"]}"
/* the doc's own example: its target (0xd1ff...) only makes sense as the answer to eth_getWork */
#define EP_WORK_DOC                                                                                             \
    "{\"id\":5,\"jsonrpc\":\"2.0\",\"result\":[\"0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890" \
    "abcdef\",\"0x5eed00000000000000000000000000005eed0000000000000000000000000000\",\"0xd1ff1c01710000000000" \
    "000000000000d1ff1c01710000000000000000000000\"]}"
#define EP_SUBMITWORK                                                                                           \
    "{\"id\":4,\"jsonrpc\":\"2.0\",\"method\":\"eth_submitWork\",\"params\":[\"0xe05d1fd4002d962f\","          \
    "\"0x6c872e2304cd1e64b553a65387d7383470f22331aff288cbce5748dc430f016a\","                                  \
    "\"0x2b20a6c641ed155b893ee750ef90ec3be5d24736d16838b84759385b6724220d\"],\"worker\":\"rig1\"}"
#define EP_SUBMIT_OK "{ \"id\": 4, \"jsonrpc\": \"2.0\", \"result\": true }"
#define EP_HASHRATE                                                                                             \
    "{\"id\":9,\"jsonrpc\":\"2.0\",\"method\":\"eth_submitHashrate\",\"params\":[\"0x500000\","                \
    "\"0x59daa26581d0acd1fce254fb7e85952f4c09d0915afd33d3886cd914bc7d283c\"]}"

/* --- cryptonote: xmrig-proxy doc/STRATUM.md, XMRig 6.x, xmr-stak --- */
#define CN_LOGIN                                                                                                \
    "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"" XMR_WALLET "\",\"pass\":"    \
    "\"x\",\"agent\":\"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\",\"algo\":[\"cn/1\",\"cn/2\","     \
    "\"cn/r\",\"rx/0\",\"rx/wow\",\"argon2/chukwav2\"]}}"
#define CN_LOGIN_STAK                                                                                           \
    "{\"method\":\"login\",\"params\":{\"login\":\"pooluser\",\"pass\":\"x\",\"rigid\":\"\","                  \
    "\"agent\":\"xmr-stak/2.10.8/4ea19e6/master/lin/nvidia-amd-cpu/0\"},\"id\":1}"
#define CN_LOGIN_WALLET_ONLY "{\"id\":1,\"method\":\"login\",\"params\":{\"login\":\"" XMR_WALLET "\",\"pass\":\"x\"}}"
#define CN_LOGIN_RESULT                                                                                         \
    "{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"1be0b7b6-b15a-47be-a17d-46b2911cf7d0\","  \
    "\"job\":{\"blob\":\"" CN_BLOB "\",\"job_id\":\"q7PLUPL25UV0z5Ij14IyMk8htXbj\",\"target\":\"b88d0600\","   \
    "\"algo\":\"rx/0\",\"height\":3000000,\"seed_hash\":\"" H64A "\",\"id\":\"1be0b7b6-b15a-47be-a17d-"       \
    "46b2911cf7d0\"},\"extensions\":[\"algo\",\"nicehash\",\"connect\",\"tls\",\"keepalive\"],\"status\":\"OK\"}}"
#define CN_JOB                                                                                                  \
    "{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"blob\":\"" CN_BLOB "\",\"job_id\":"                 \
    "\"4BiGm3/RgGQzgkTI/xV0smdA+EGZ\",\"target\":\"b88d0600\",\"id\":\"1be0b7b6-b15a-47be-a17d-46b2911cf7d0\"}}"
#define CN_SUBMIT                                                                                               \
    "{\"id\":2,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"1be0b7b6-b15a-47be-a17d-"        \
    "46b2911cf7d0\",\"job_id\":\"4BiGm3/RgGQzgkTI/xV0smdA+EGZ\",\"nonce\":\"d0030040\",\"result\":"            \
    "\"e1364b8782719d7683e2ccd3d8f724bc59dfa780a9e960e7c0e0046acdb40100\"}}"
#define CN_SUBMIT_OK "{\"id\":2,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"status\":\"OK\"}}"
#define CN_SUBMIT_BAD "{\"id\":3,\"jsonrpc\":\"2.0\",\"error\":{\"code\":-1,\"message\":\"Low difficulty share\"}}"
#define CN_KEEPALIVE "{\"id\":4,\"method\":\"keepalived\",\"params\":{\"id\":\"1be0b7b6-b15a-47be-a17d-46b2911cf7d0\"}}"
#define CN_KEEPALIVE_OK "{\"id\":4,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"status\":\"KEEPALIVED\"}}"
#define CN_GETJOB "{\"id\":5,\"method\":\"getjob\",\"params\":{\"id\":\"1be0b7b6-b15a-47be-a17d-46b2911cf7d0\"}}"

/* --- getwork / getblocktemplate (Bitcoin wiki getwork; BIP 22, BIP 23) --- */
#define GW_REQ "{\"method\": \"getwork\", \"params\": [], \"id\": 0}"
#define GW_SUBMIT "{\"method\":\"getwork\",\"params\":[\"" H32 H32 "\"],\"id\":1}"
#define GW_RESULT                                                                                               \
    "{\"result\":{\"midstate\":\"" H64A "\",\"data\":\"" H32 H32 "\",\"hash1\":\"" H32 "\",\"target\":\""     \
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff00000000\"},\"error\":null,\"id\":0}"
#define GBT_REQ                                                                                                 \
    "{\"id\":0,\"method\":\"getblocktemplate\",\"params\":[{\"capabilities\":[\"coinbasetxn\",\"workid\","     \
    "\"coinbase/append\"],\"rules\":[\"segwit\"]}]}"
#define GBT_CLI "{\"jsonrpc\":\"1.0\",\"id\":\"curltest\",\"method\":\"getblocktemplate\",\"params\":[{\"rules\":[\"segwit\"]}]}"
#define GBT_SUBMITBLOCK "{\"id\":2,\"method\":\"submitblock\",\"params\":[\"" H32 H32 "\"]}"
#define GBT_RESULT                                                                                              \
    "{\"result\":{\"version\":536870912,\"rules\":[\"csv\",\"!segwit\"],\"previousblockhash\":\"" H64A "\","   \
    "\"transactions\":[],\"coinbasevalue\":625000000,\"longpollid\":\"" H64A "1\",\"target\":\"" H64B "\","    \
    "\"mintime\":1700000000,\"curtime\":1700000100,\"bits\":\"17034219\",\"height\":800000},\"error\":null,"  \
    "\"id\":0}"

/* --- webminer (Coinhive-era WebSocket messages) --- */
#define WM_AUTH                                                                                                 \
    "{\"type\":\"auth\",\"params\":{\"site_key\":\"Nxc9SqAhAZOiZr2f2KL0ymcVcsWeLVZy\",\"type\":\"anonymous\","  \
    "\"user\":null,\"goal\":0}}"
#define WM_AUTHED "{\"type\":\"authed\",\"params\":{\"token\":\"\",\"hashes\":0}}"
#define WM_JOB "{\"type\":\"job\",\"params\":{\"job_id\":\"1234\",\"blob\":\"" CN_BLOB "\",\"target\":\"ffffff00\"}}"
#define WM_SUBMIT                                                                                               \
    "{\"type\":\"submit\",\"params\":{\"job_id\":\"1234\",\"nonce\":\"a1b2c3d4\",\"result\":\"" H64C "\"}}"
#define WM_ACCEPTED "{\"type\":\"hash_accepted\",\"params\":{\"hashes\":256}}"

#endif
