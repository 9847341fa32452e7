/** Engine-free two-stage recommendation (retrieve with stage 1, re-rank with stage 2) and top-K selection. */
package dev.recsys.api.recommend;
