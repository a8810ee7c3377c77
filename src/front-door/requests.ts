/** A request the front door accepted: an authenticated storefront server asking as BigCommerce's Storefront API. */
export interface FrontDoorRequest {
  channelId: number;
}
