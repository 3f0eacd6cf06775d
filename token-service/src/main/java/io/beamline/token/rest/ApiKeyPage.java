package io.beamline.token.rest;

import java.util.List;

/**
 * One page of an account's API keys.
 *
 * @param items the keys on this page, oldest first
 * @param page the page number, from 1
 * @param itemsOnPage the page size asked for
 * @param totalItems how many keys the account has
 */
public record ApiKeyPage(List<ApiKeyView> items, int page, int itemsOnPage, long totalItems) {}
